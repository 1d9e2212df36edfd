// Package androidgw simulates an Android phone running medic/cht-gateway, the app that relays
// SMS through the phone's SIM, as the app's own source has it (SimpleJsonClient2,
// WebappPoller, SmsSender): it polls the service's endpoint with an uncompressed JSON body and
// HTTP Basic auth whose password is percent-encoded (Uri.encode, as uriEncodeAuth does),
// delivers at most MaxMessages of the SMS people texted to it and MaxUpdates status reports a
// poll (and polls again at once after a full one), takes the outbound SMS in the answer,
// "sends" them (it records them) and reports UNSENT, PENDING, then SENT or FAILED, and
// DELIVERED after SENT, on its next polls. It ignores an outbound id it has seen, as the app
// does.
//
// It talks to Caseline over HTTP only. Tests drive it poll by poll; the caseline simulator
// subcommand runs it on a timer and can expose Control for a demo.
package androidgw
