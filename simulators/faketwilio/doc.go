// Package faketwilio is a fake of Twilio's REST API for development and tests: the paths
// twilio-go calls to send a message (POST /2010-04-01/Accounts/{sid}/Messages.json) and place
// a call (…/Calls.json), answered with Twilio-shaped JSON and Twilio-shaped errors, behind
// HTTP Basic auth with the configured account sid and auth token.
//
// It is as strict as Twilio where Caseline could go wrong: a call must come from a phone
// number (of Options.Numbers, when given: 21210), an SMS from a From of the account or a
// messaging service (MessagingServiceSid: 21603, 21705, 21701, 21606). An answered call's
// TwiML is fetched from its Url as Twilio fetches it (a signed POST) and every <Say> checked
// against Twilio's voices (package gateway/twilio/tts): one Twilio would not speak is not
// said and raises a debugger alert, as Twilio logs one. Every <Play> is fetched (a plain GET,
// as Twilio fetches media): one that does not answer 2xx raises 11200, one that is not
// audio/* 12300, and only what plays is listed in Answered.Played.
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
//	POST /_fake/answer?sid=CA…        answer a call: fetch and run its TwiML, answer what was
//	                                  said and played and the alerts raised ({"said":[…],"played":[…],"alerts":[…]})
//	GET  /_fake/alerts[?sid=CA…]      the debugger alerts raised, as {"alerts":[…]}
//
// The same controls are methods (SetFaults, SendStatus, Answer, Messages, Calls, Alerts) for
// tests. Memory is bounded: only the newest Options.Keep messages, calls and alerts are kept.
package faketwilio
