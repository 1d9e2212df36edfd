package twilio

import (
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// smsStatus maps a Twilio message status to ours. Twilio's "queued" already means Twilio
// accepted the message, which is our "sent", and so is a delivery the carrier did not confirm
// (delivery_unknown) or confirmed in part (partially_delivered); inbound statuses (receiving,
// received) are not ours to record. Any other word is answered 200 and ignored: Twilio adds
// statuses, and a 400 would only make it retry. The statuses of Twilio's Message resource,
// https://www.twilio.com/docs/messaging/api/message-resource#message-status-values.
func smsStatus(word string) (care.MessageStatus, bool) {
	switch word {
	case "accepted", "scheduled", "queued", "sending", "sent", "delivery_unknown", "partially_delivered":
		return care.MsgSent, true
	case "delivered", "read":
		return care.MsgDelivered, true
	case "undelivered", "failed", "canceled":
		return care.MsgFailed, true
	}
	return "", false
}

// numberFailed reports whether Twilio's error code on an undelivered or failed message
// blames the number itself rather than the message, the sender or the moment, so that it
// counts against the number (care.Receipt.NumberFailed). Twilio's messaging error codes,
// https://www.twilio.com/docs/api/errors (30001–30010), and its guide to undelivered
// messages, https://support.twilio.com/hc/en-us/articles/223181868:
//   - 30003 Unreachable destination handset: off, out of coverage, or not taking SMS;
//   - 30004 Message blocked: the recipient or their carrier blocks it;
//   - 30005 Unknown destination handset: the number does not exist or is no longer in service;
//   - 30006 Landline or unreachable carrier: the number cannot take SMS;
//   - 30007 Message filtered: the carrier filters what reaches the number.
//
// Not the number's: 30001 queue overflow, 30002 account suspended, 30008 unknown error,
// 30009 missing segment, 30010 price above the maximum — retrying or fixing our side helps.
func numberFailed(code string) bool {
	switch code {
	case "30003", "30004", "30005", "30006", "30007":
		return true
	}
	return false
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
	providerID   string
	twilio       string // Twilio's status word
	status       care.MessageStatus
	known        bool // twilio maps to one of ours
	errorCode    string
	numberFailed bool // the error code blames the number (SMS only)
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
	body, err := gateway.ReadBody(r)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	u, err := decode(body)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	log := h.logger(r.Context())
	if !u.known {
		log.Debug().Str("status", u.twilio).Msg("status callback ignored: status not tracked")
		w.WriteHeader(http.StatusOK)
		return
	}
	marked, err := h.status.RecordStatus(r.Context(), care.Receipt{Provider: care.ProviderTwilio, ProviderID: u.providerID,
		Status: u.status, ErrorCode: u.errorCode, NumberFailed: u.numberFailed})
	switch {
	case care.ErrorCode(err) == care.ENOTFOUND:
		log.Debug().Str("status", u.twilio).Msg("status callback ignored: unknown sid")
	case err != nil:
		log.Error().Err(err).Str("status", u.twilio).Msg("record status")
		gateway.Text(w, r, gateway.TryLater())
		return
	case marked:
		log.Warn().Str("sid", u.providerID).Str("error_code", u.errorCode).
			Msg("number unreachable by SMS: carrier failures in a row; the case manager is told")
	}
	w.WriteHeader(http.StatusOK)
}

// decodeSMSStatus decodes a message status callback (MessageSid, MessageStatus, ErrorCode).
func decodeSMSStatus(body []byte) (statusUpdate, error) {
	u, err := decodeStatus(body, "MessageSid", "MessageStatus", smsStatus)
	u.numberFailed = err == nil && u.status == care.MsgFailed && numberFailed(u.errorCode)
	return u, err
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
