// Package ussd speaks Africa's Talking's USSD protocol: the aggregator posts each hop of a
// session (sessionId, serviceCode, phoneNumber, networkCode, and text — every input of the
// session so far joined by '*') to POST /ussd/africastalking?token=…, and we answer
// text/plain "CON <screen>" to wait for input or "END <screen>" to close the session.
//
// Aggregators cannot sign requests, so the callback URL carries a shared token (USSD_TOKEN),
// compared in constant time. Wired in gateway/routes.go:
//
//	h, _ := ussd.New(ussd.Deps{Engine: eng, Token: token, Log: log, Ends: st})
//	mux.Handle("POST /ussd/africastalking", h)
//	mux.Handle("POST /ussd/africastalking/events", http.HandlerFunc(h.Events))
//
// Events records Africa's Talking's end-of-session notification (Success, Incomplete or
// Failed, hops, duration, error) with where the session's dialog stood, under the same token.
package ussd
