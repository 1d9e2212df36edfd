// Package androidgw simulates an Android phone running medic/cht-gateway, the app that relays
// SMS through the phone's SIM. Like the app it polls the service's endpoint with HTTP Basic
// auth (optionally gzip-encoded), delivers the SMS people texted to it, takes the outbound SMS
// in the answer, "sends" them (it records them) and reports SENT, then DELIVERED, on its next
// polls. It ignores an outbound id it has seen, as the app does.
//
// It talks to Caseline over HTTP only. Tests drive it poll by poll; the caseline simulator
// subcommand runs it on a timer and can expose Control for a demo.
package androidgw
