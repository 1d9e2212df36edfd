package twilio

import (
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
)

// smsStatus maps a Twilio message status to ours. Twilio's "queued" already means Twilio
// accepted the message, which is our "sent"; inbound statuses (receiving, received) are not
// ours to record.
func smsStatus(word string) (care.MessageStatus, bool) {
	switch word {
	case "accepted", "scheduled", "queued", "sending", "sent":
		return care.MsgSent, true
	case "delivered", "read":
		return care.MsgDelivered, true
	case "undelivered", "failed", "canceled":
		return care.MsgFailed, true
	}
	return "", false
}

// callStatus maps a Twilio call status to ours: a completed call was delivered; a call
// nobody answered failed, with the call status as its error code when Twilio gives none.
func callStatus(word string) (care.MessageStatus, bool) {
	switch word {
	case "queued", "initiated", "ringing", "in-progress":
		return care.MsgSent, true
	case "completed":
		return care.MsgDelivered, true
	case "busy", "no-answer", "failed", "canceled":
		return care.MsgFailed, true
	}
	return "", false
}

// statusUpdate is a decoded status callback.
type statusUpdate struct {
	providerID string
	twilio     string // Twilio's status word
	status     care.MessageStatus
	known      bool // twilio maps to one of ours
	errorCode  string
}

// SMSStatus serves POST /twilio/sms/status, Twilio's delivery receipt for a message we sent.
func (h *Handlers) SMSStatus(w http.ResponseWriter, r *http.Request) {
	h.serveStatus(w, r, decodeSMSStatus)
}

// VoiceStatus serves POST /twilio/voice/status, Twilio's progress report on a call we placed.
func (h *Handlers) VoiceStatus(w http.ResponseWriter, r *http.Request) {
	h.serveStatus(w, r, decodeCallStatus)
}

func (h *Handlers) serveStatus(w http.ResponseWriter, r *http.Request, decode func([]byte) (statusUpdate, error)) {
	body, status := readBody(w, r)
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	u, err := decode(body)
	if err != nil {
		badRequest(w, err)
		return
	}
	log := h.logger(r.Context())
	if !u.known {
		log.Debug().Str("status", u.twilio).Msg("status callback ignored: status not tracked")
		w.WriteHeader(http.StatusOK)
		return
	}
	err = h.status.RecordStatus(r.Context(), care.ProviderTwilio, u.providerID, u.status, u.errorCode)
	switch {
	case care.ErrorCode(err) == care.ENOTFOUND:
		log.Debug().Str("status", u.twilio).Msg("status callback ignored: unknown sid")
	case err != nil:
		log.Error().Err(err).Str("status", u.twilio).Msg("record status")
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// decodeSMSStatus decodes a message status callback (MessageSid, MessageStatus, ErrorCode).
func decodeSMSStatus(body []byte) (statusUpdate, error) {
	return decodeStatus(body, "MessageSid", "MessageStatus", smsStatus)
}

// decodeCallStatus decodes a call status callback (CallSid, CallStatus, ErrorCode).
func decodeCallStatus(body []byte) (statusUpdate, error) {
	u, err := decodeStatus(body, "CallSid", "CallStatus", callStatus)
	if err == nil && u.status == care.MsgFailed && u.errorCode == "" {
		u.errorCode = u.twilio
	}
	return u, err
}

func decodeStatus(body []byte, sidKey, statusKey string, mapStatus func(string) (care.MessageStatus, bool)) (statusUpdate, error) {
	form, err := parseForm(body)
	if err != nil {
		return statusUpdate{}, err
	}
	id, err := sid(form, sidKey)
	if err != nil {
		return statusUpdate{}, err
	}
	word, err := required(form, statusKey)
	if err != nil {
		return statusUpdate{}, err
	}
	word = strings.ToLower(word)
	st, ok := mapStatus(word)
	code := strings.TrimSpace(form.Get("ErrorCode"))
	if len(code) > 16 {
		return statusUpdate{}, care.FieldError("ErrorCode", "too long")
	}
	return statusUpdate{providerID: id, twilio: word, status: st, known: ok, errorCode: code}, nil
}
