// Package android speaks the medic/cht-gateway protocol, so an Android phone with a local SIM
// running that app relays Caseline's SMS unmodified (Twilio cannot carry two-way SMS in
// Vietnam). The app polls one endpoint with HTTP Basic auth: GET answers {"medic-gateway":
// true}; POST brings the SMS the phone received and status reports for the SMS it sent, and
// is answered with the SMS waiting for it.
//
// A POST is handled in this order: the status reports update the message rows (one round
// trip), each inbound SMS goes through the dialog engine and its reply is queued for the
// phone, and the queued replies are written together with fetching the phone's batch of
// outbound SMS (one more round trip). An outbound SMS handed out but never confirmed is
// offered again after a lease, which is safe because the app ignores an id it has seen.
package android
