package twilio

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// A failed turn is logged at error level with the phone masked; what the person sent
// (SMS body, digits) never reaches the log.
func TestFailedTurnLogs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		body       string
		secret     string
	}{
		{"sms", "/twilio/sms", smsForm("Body", "my secret words").Encode(), "my secret words"},
		{"voice", "/twilio/voice?step=1", voiceForm("Digits", "7").Encode(), `"7"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &gatewaytest.Logs{}
			eng := &gatewaytest.Engine{Err: errors.New("load session: timeout")}
			h, err := New(Deps{Engine: eng, Status: &fakeStatus{}, PublicBaseURL: testBase, Log: zerolog.New(logs)})
			require.NoError(t, err)
			mux := http.NewServeMux()
			mux.HandleFunc("POST /twilio/sms", h.SMS)
			mux.HandleFunc("POST /twilio/voice", h.Voice)
			req := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code)
			got := logs.String()
			require.Contains(t, got, `"level":"error"`)
			require.Contains(t, got, "dialog turn failed")
			require.Contains(t, got, person.String(), "the phone is logged masked")
			require.NotContains(t, got, person.E164())
			require.NotContains(t, got, tt.secret)
		})
	}
}
