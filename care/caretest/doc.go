// Package caretest holds test doubles for the domain's interfaces: a care.Clock that only
// moves when a test moves it, so tests step time instead of sleeping.
//
// It is for tests only: no production package may import it. It imports only the standard
// library and care, so any package's tests may use it.
package caretest
