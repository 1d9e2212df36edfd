// Package faketwilio is a fake of Twilio's REST API for development and tests: the paths
// twilio-go calls to send a message (POST /2010-04-01/Accounts/{sid}/Messages.json) and place
// a call (…/Calls.json), answered with Twilio-shaped JSON and Twilio-shaped errors, behind
// HTTP Basic auth with the configured account sid and auth token.
//
// Beyond Twilio, it offers:
//
//	GET  /_fake/messages[?to=%2B84…]  what it accepted, oldest first, as {"messages":[…]}
//	GET  /_fake/calls[?to=%2B84…]     the same for calls, as {"calls":[…]}
//	GET  /_fake/faults                the failures being injected
//	POST /_fake/faults                set them: {"server_error_share":0.1,"rate_limit_share":0.05,
//	                                  "codes":{"+84901234567":21211}}; DELETE clears them
//	POST /_fake/status?sid=SM…&status=delivered[&error_code=30003]
//	                                  post a signed status callback for a message or call to
//	                                  the StatusCallback it was created with
//
// The same controls are methods (SetFaults, SendStatus, Messages, Calls) for tests. Memory is
// bounded: only the newest Options.Keep messages and calls are kept.
package faketwilio
