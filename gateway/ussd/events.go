package ussd

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// maxErrorMessage bounds the aggregator's error message kept for a failed session; a longer
// one is cut, not refused.
const maxErrorMessage = 500

// Events serves POST /ussd/africastalking/events?token=…, Africa's Talking's end-of-session
// notification (its USSD "events callback"): one per session, when it ends, with the form
// fields sessionId, phoneNumber, serviceCode, networkCode, status (Success, Incomplete or
// Failed), hopsCount, durationInMillis, cost, errorMessage, input, lastAppResponse and date
// (https://developers.africastalking.com/docs/ussd/notifications). The token rule is the
// callback's. The session's end is recorded with where its dialog stood, for a report of the
// states people leave from; input and lastAppResponse are not kept, nor logged: they hold
// what people typed and what we showed them.
func (h *Handler) Events(w http.ResponseWriter, r *http.Request) {
	body, ok := h.admit(w, r)
	if !ok {
		return
	}
	end, err := decodeEnd(body, h.phones.Parse)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	ctx := r.Context()
	log := h.logger(ctx)
	if h.ends == nil {
		gateway.Text(w, r, gateway.Refuse(http.StatusServiceUnavailable, gateway.CodeUnavailable, "session ends are not recorded here"))
		return
	}
	if err := h.ends.RecordUSSDEnd(ctx, &end); err != nil {
		log.Error().Err(err).Str("channel", string(care.ChannelUSSD)).Msg("record ussd session end")
		gateway.Text(w, r, gateway.TryLater())
		return
	}
	log.Info().Str("channel", string(care.ChannelUSSD)).Str("session", end.SessionID).Str("phone", end.Phone.String()).
		Str("status", string(end.Status)).Int("hops", end.Hops).Dur("duration", end.Duration).
		Str("flow", end.Flow).Str("state", end.State).Msg("ussd session ended")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("OK"))
}

// decodeEnd turns an end-of-session notification into a care.USSDSessionEnd (without its
// dialog's flow and state, which the store knows, nor its time, which the store stamps).
func decodeEnd(body []byte, parse func(string) (care.Phone, error)) (care.USSDSessionEnd, error) {
	form, session, p, err := decodeSession(body, parse, "serviceCode", "networkCode", "status", "hopsCount",
		"durationInMillis", "cost", "errorMessage")
	if err != nil {
		return care.USSDSessionEnd{}, err
	}
	e := care.USSDSessionEnd{SessionID: session, Phone: p}
	status := strings.TrimSpace(form.Get("status"))
	for _, s := range []care.USSDEndStatus{care.USSDSuccess, care.USSDIncomplete, care.USSDFailed} {
		if strings.EqualFold(status, string(s)) {
			e.Status = s
		}
	}
	if !e.Status.Valid() {
		return care.USSDSessionEnd{}, care.FieldError("status", "not Success, Incomplete or Failed")
	}
	if e.Hops, err = count(form, "hopsCount", 1<<20); err != nil {
		return care.USSDSessionEnd{}, err
	}
	ms, err := count(form, "durationInMillis", int(24*time.Hour/time.Millisecond))
	if err != nil {
		return care.USSDSessionEnd{}, err
	}
	e.Duration = time.Duration(ms) * time.Millisecond
	e.NetworkCode = strings.TrimSpace(form.Get("networkCode"))
	e.Cost = strings.TrimSpace(form.Get("cost"))
	e.ErrorMessage = strings.ToValidUTF8(truncate(strings.TrimSpace(form.Get("errorMessage")), maxErrorMessage), "")
	return e, nil
}

// truncate cuts s to at most n bytes (a rune cut in two is dropped by the caller).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// count reads form's key as a whole number from 0 to max; an absent one is 0.
func count(form url.Values, key string, max int) (int, error) {
	v := strings.TrimSpace(form.Get(key))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > max {
		return 0, care.FieldError(key, "not a whole number from 0 to %d", max)
	}
	return n, nil
}
