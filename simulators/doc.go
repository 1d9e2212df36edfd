// Package simulators holds stand-ins for the outside world Caseline talks to — Twilio, the
// USSD aggregator, feature phones — so the service can be run, demonstrated and load-tested
// without an account, a phone or a carrier. Simulators talk to the service over HTTP only,
// exactly as the real providers do; they never import the service's packages.
//
//   - faketwilio: Twilio's REST API as twilio-go calls it, with injectable failures and
//     signed status callbacks.
package simulators
