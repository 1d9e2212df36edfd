package ussd

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway/gatewaytest"
)

// fakeEnds records session ends, or fails.
type fakeEnds struct {
	mu   sync.Mutex
	got  []care.USSDSessionEnd
	fail error
}

func (f *fakeEnds) RecordUSSDEnd(_ context.Context, e *care.USSDSessionEnd) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	e.Flow, e.State = "register", "name"
	f.got = append(f.got, *e)
	return nil
}

// end is an end-of-session notification as Africa's Talking posts it; kv overrides fields
// ("-" removes one).
func end(kv ...string) url.Values {
	return gatewaytest.Form(url.Values{"sessionId": {"ATUid_1"}, "serviceCode": {"*384*123#"}, "networkCode": {"45204"},
		"phoneNumber": {"+84901234567"}, "status": {"Incomplete"}, "cost": {"VND 200"}, "durationInMillis": {"41250"},
		"hopsCount": {"3"}, "input": {"1*1*Nguyễn Văn A"}, "lastAppResponse": {"CON Ten cua ban?"}, "errorMessage": {""},
		"date": {"2026-11-23 09:12:03"}}, kv...)
}

func TestEvents(t *testing.T) {
	t.Parallel()
	const path = "/ussd/africastalking/events?token=" + testToken
	incomplete := care.USSDSessionEnd{SessionID: "ATUid_1", Phone: "+84901234567", Status: care.USSDIncomplete,
		Hops: 3, Duration: 41250 * time.Millisecond, NetworkCode: "45204", Cost: "VND 200", Flow: "register", State: "name"}
	but := func(f func(*care.USSDSessionEnd)) care.USSDSessionEnd { e := incomplete; f(&e); return e }
	tests := []struct {
		name   string
		path   string
		body   string
		fail   error
		status int
		want   *care.USSDSessionEnd // recorded
		reason string               // in the body otherwise
	}{
		{name: "incomplete", path: path, body: end().Encode(), status: 200, want: &incomplete},
		{name: "success", path: path, body: end("status", "Success").Encode(), status: 200,
			want: ptr(but(func(e *care.USSDSessionEnd) { e.Status = care.USSDSuccess }))},
		{name: "failed with its error", path: path, body: end("status", "Failed", "errorMessage", "Timeout waiting for response").Encode(), status: 200,
			want: ptr(but(func(e *care.USSDSessionEnd) {
				e.Status, e.ErrorMessage = care.USSDFailed, "Timeout waiting for response"
			}))},
		{name: "status in another case", path: path, body: end("status", "incomplete").Encode(), status: 200, want: &incomplete},
		{name: "no counts", path: path, body: end("hopsCount", "-", "durationInMillis", "-", "cost", "-").Encode(), status: 200,
			want: ptr(but(func(e *care.USSDSessionEnd) { e.Hops, e.Duration, e.Cost = 0, 0, "" }))},
		{name: "a long error message is cut", path: path, body: end("status", "Failed", "errorMessage", strings.Repeat("é", 400)).Encode(), status: 200,
			want: ptr(but(func(e *care.USSDSessionEnd) { e.Status, e.ErrorMessage = care.USSDFailed, strings.Repeat("é", 250) }))},
		{name: "wrong token", path: "/ussd/africastalking/events?token=guess", body: end().Encode(), status: 403, reason: "invalid token"},
		{name: "missing token", path: "/ussd/africastalking/events", body: end().Encode(), status: 403},
		{name: "unknown status", path: path, body: end("status", "Dropped").Encode(), status: 400, reason: "status: not Success, Incomplete or Failed"},
		{name: "missing status", path: path, body: end("status", "-").Encode(), status: 400, reason: "status:"},
		{name: "negative hops", path: path, body: end("hopsCount", "-1").Encode(), status: 400, reason: "hopsCount:"},
		{name: "duration not a number", path: path, body: end("durationInMillis", "41s").Encode(), status: 400, reason: "durationInMillis:"},
		{name: "missing sessionId", path: path, body: end("sessionId", "-").Encode(), status: 400, reason: "sessionId: is required"},
		{name: "bad phone", path: path, body: end("phoneNumber", "abc").Encode(), status: 400, reason: "phoneNumber:"},
		{name: "store down", path: path, body: end().Encode(), fail: errors.New("pool closed"), status: 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ends := &fakeEnds{fail: tt.fail}
			u, err := New(Deps{Engine: &gatewaytest.Engine{}, Token: testToken, Log: zerolog.Nop(), Ends: ends})
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			u.Events(w, r)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Contains(t, w.Body.String(), tt.reason)
			if tt.want == nil {
				if tt.fail == nil {
					require.Empty(t, ends.got, "nothing recorded")
				}
				return
			}
			require.Equal(t, []care.USSDSessionEnd{*tt.want}, ends.got)
		})
	}
}

func TestEventsLogNothingPeopleTyped(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	u, err := New(Deps{Engine: &gatewaytest.Engine{}, Token: testToken, Log: zerolog.New(&logs), Ends: &fakeEnds{}})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/ussd/africastalking/events?token="+testToken, strings.NewReader(end().Encode()))
	w := httptest.NewRecorder()
	u.Events(w, r)
	require.Equal(t, http.StatusOK, w.Code)
	require.Contains(t, logs.String(), "ussd session ended")
	for _, secret := range []string{"Nguy", "Ten cua ban", "+84901234567", "0901234567"} {
		require.NotContains(t, logs.String(), secret)
	}
}

func FuzzDecodeEnd(f *testing.F) {
	f.Add([]byte(end().Encode()))
	f.Add([]byte(end("status", "Failed", "hopsCount", "99999999999999999999").Encode()))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := decodeEnd(body, care.ParsePhone)
		if err != nil {
			var ce *care.Error
			require.True(t, errors.As(err, &ce), "decodeEnd returns care errors, got %T", err)
			require.NotEmpty(t, ce.Field)
			return
		}
		require.True(t, e.Status.Valid())
		require.NotEmpty(t, e.SessionID)
		require.True(t, strings.HasPrefix(e.Phone.E164(), "+"))
		require.GreaterOrEqual(t, e.Hops, 0)
		require.GreaterOrEqual(t, e.Duration, time.Duration(0))
		require.LessOrEqual(t, len(e.ErrorMessage), maxErrorMessage)
	})
}

func ptr[T any](v T) *T { return &v }
