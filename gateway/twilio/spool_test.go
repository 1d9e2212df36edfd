package twilio

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/spool"
)

// With the database away, an SMS is spooled and answered 200 with the neutral reply (never
// the apology that saved nothing), and a call cut off is spooled as an attempt and
// apologised to; a turn refused for its input is apologised to and not spooled.
func TestWebhooksSpoolWhatTheDatabaseCannotTake(t *testing.T) {
	t.Parallel()
	h := setup(t)
	sp, err := spool.Open(t.TempDir(), care.SystemClock{}, prometheus.NewRegistry(), zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { sp.Close() })
	hs, err := New(Deps{Engine: h.engine, Status: h.status, PublicBaseURL: testBase, Log: zerolog.Nop(), Spool: sp})
	require.NoError(t, err)
	sig := func(next http.HandlerFunc) http.Handler { return RequireSignature(testToken, testBase, next) }
	mux := http.NewServeMux()
	mux.Handle("POST /twilio/sms", sig(hs.SMS))
	mux.Handle("POST /twilio/voice", sig(hs.Voice))
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)

	h.engine.Err = errors.New("begin turn: acquire: connection refused")
	form := url.Values{"MessageSid": {"SM1"}, "From": {"+84912000001"}, "To": {"+84900000000"}, "Body": {"GIUP"}}
	status, body, _ := h.post(t, "/twilio/sms", form.Encode(), sign("/twilio/sms", form))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "We received your message and will answer soon.")
	require.Equal(t, 1, sp.Depth())

	call := url.Values{"CallSid": {"CA1"}, "From": {"+84912000002"}, "To": {"+84900000000"}, "Digits": {"3"}}
	status, body, _ = h.post(t, "/twilio/voice?step=2", call.Encode(), sign("/twilio/voice?step=2", call))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, gateway.ApologyEN)
	require.Equal(t, 2, sp.Depth())

	h.engine.Err = care.FieldError("phone", "phone must be E.164")
	form.Set("MessageSid", "SM2")
	form.Set("From", "+84912000003")
	status, body, _ = h.post(t, "/twilio/sms", form.Encode(), sign("/twilio/sms", form))
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "Sorry")
	require.Equal(t, 2, sp.Depth())
}
