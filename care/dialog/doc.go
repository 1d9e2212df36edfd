// Package dialog is the contract of one dialog turn between the engine that decides it
// (flows) and the store that loads and writes it in two round trips (store): what a turn
// asks for, what it finds, and what it writes. Neither side imports the other; both import
// this package, which imports only care.
package dialog
