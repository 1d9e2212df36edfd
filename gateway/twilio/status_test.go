package twilio

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// Every MessageStatus Twilio sends gets 200 (a 400 only makes Twilio try again), and the
// ones that are ours are recorded.
func TestEveryMessageStatusIsAccepted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		word string
		want care.MessageStatus // "" for not recorded
	}{
		{"accepted", care.MsgSent}, {"scheduled", care.MsgSent}, {"queued", care.MsgSent},
		{"sending", care.MsgSent}, {"sent", care.MsgSent}, {"delivery_unknown", care.MsgSent},
		{"partially_delivered", care.MsgSent}, {"delivered", care.MsgDelivered}, {"read", care.MsgDelivered},
		{"undelivered", care.MsgFailed}, {"failed", care.MsgFailed}, {"canceled", care.MsgFailed},
		{"receiving", ""}, {"received", ""}, {"a_status_twilio_adds_later", ""},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			t.Parallel()
			h := setup(t)
			form := url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {tt.word}, "AccountSid": {"AC123"}}
			status, body, _ := h.post(t, "/twilio/sms/status", form.Encode(), sign("/twilio/sms/status", form))
			require.Equal(t, http.StatusOK, status, body)
			var want []statusCall
			if tt.want != "" {
				want = []statusCall{receipt("SMknown", tt.want, "", false)}
			}
			require.Equal(t, want, h.status.recorded())
		})
	}
}

func TestNumberFailed(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]bool{
		"30003": true, "30004": true, "30005": true, "30006": true, "30007": true,
		"30001": false, "30002": false, "30008": false, "30009": false, "30010": false, "": false, "21211": false,
	} {
		require.Equal(t, want, numberFailed(code), code)
	}
	// Only a failure counts: a code on a delivered receipt blames nothing.
	u, err := decodeSMSStatus([]byte("MessageSid=SM1&MessageStatus=delivered&ErrorCode=30003"))
	require.NoError(t, err)
	require.False(t, u.numberFailed)
	u, err = decodeSMSStatus([]byte("MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30005"))
	require.NoError(t, err)
	require.True(t, u.numberFailed)
	c, err := decodeCallStatus([]byte("CallSid=CA1&CallStatus=failed&ErrorCode=30003"))
	require.NoError(t, err)
	require.False(t, c.numberFailed, "calls do not count against SMS")
}
