// Package twilio speaks Twilio's protocols for Caseline: the SMS and voice webhooks (decoded
// into flows.Input, answered with TwiML built by twilio-go's twiml package), their status
// callbacks, the X-Twilio-Signature check every /twilio/* request passes first, and Sender,
// the care.Sender that sends SMS and places calls through twilio-go's REST client.
//
// The handlers know nothing of storage: they call an Engine (the dialog engine) for each
// inbound turn and a StatusRecorder for delivery receipts, both declared here and satisfied
// by flows and store. Routes are wired in gateway/routes.go:
//
//	h, _ := twilio.New(twilio.Deps{Engine: eng, Status: st, PublicBaseURL: base, Log: log})
//	sig := func(next http.HandlerFunc) http.Handler { return twilio.RequireSignature(token, base, next) }
//	mux.Handle("POST /twilio/sms", sig(h.SMS))
//	mux.Handle("POST /twilio/sms/status", sig(h.SMSStatus))
//	mux.Handle("POST /twilio/voice", sig(h.Voice))
//	mux.Handle("POST /twilio/voice/status", sig(h.VoiceStatus))
//	mux.HandleFunc("GET /twilio/voice/audio/{lang}/{file}", h.Audio) // Deps.Audio's recordings
//
// With Deps.Audio (PROMPT_AUDIO_DIR), a call <Play>s the recording of a prompt where there is
// one and <Say>s the rest, in order.
package twilio
