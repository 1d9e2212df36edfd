package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/simulators/faketwilio"
)

const (
	sid    = "AC123"
	token  = "token123"
	from   = "+842873001234"
	to     = care.Phone("+84901234567")
	public = "https://caseline.example.org"
	// service is a messaging service SID: MG and 32 hex digits.
	service = "MG0123456789abcdef0123456789abcdef"
)

// senderFixture is a Sender talking to a fake Twilio over HTTP.
type senderFixture struct {
	fake   *faketwilio.Server
	sender *twilio.Sender
}

func newSender(t *testing.T, apiURL string, timeout time.Duration) *twilio.Sender {
	t.Helper()
	s, err := twilio.NewSender(twilio.SenderConfig{AccountSID: sid, AuthToken: token, From: from,
		APIURL: apiURL, StatusCallbackBase: public, Timeout: timeout})
	require.NoError(t, err)
	return s
}

func setupSender(t *testing.T) senderFixture {
	t.Helper()
	fake := faketwilio.New(faketwilio.Options{AccountSID: sid, AuthToken: token})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return senderFixture{fake: fake, sender: newSender(t, srv.URL, 5*time.Second)}
}

func TestSenderSends(t *testing.T) {
	t.Parallel()
	f := setupSender(t)
	ctx := context.Background()

	msgSid, err := f.sender.SendSMS(ctx, to, "Nhac lich hen: mai 9:00")
	require.NoError(t, err)
	require.Regexp(t, `^SM[0-9a-f]{32}$`, msgSid)
	msgs := f.fake.Messages(to.E164())
	require.Len(t, msgs, 1)
	require.Equal(t, msgSid, msgs[0].Sid)
	require.Equal(t, from, msgs[0].From)
	require.Equal(t, "Nhac lich hen: mai 9:00", msgs[0].Body)
	require.Equal(t, public+"/twilio/sms/status", msgs[0].StatusCallback)

	callSid, err := f.sender.Call(ctx, to, public+"/twilio/voice?about=reminder:42")
	require.NoError(t, err)
	require.Regexp(t, `^CA[0-9a-f]{32}$`, callSid)
	calls := f.fake.Calls(to.E164())
	require.Len(t, calls, 1)
	require.Equal(t, public+"/twilio/voice?about=reminder:42", calls[0].URL)
	require.Equal(t, public+"/twilio/voice/status", calls[0].StatusCallback)
}

func TestSenderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		faults       faketwilio.Faults
		call         bool
		status       int
		code         string
		retryable    bool
		unreachable  bool
		unsubscribed bool
	}{
		{name: "429 is retryable", faults: faketwilio.Faults{RateLimitShare: 1}, status: 429, code: "20429", retryable: true},
		{name: "5xx is retryable", faults: faketwilio.Faults{ServerErrorShare: 1}, status: 500, code: "20500", retryable: true},
		{name: "5xx on a call is retryable", faults: faketwilio.Faults{ServerErrorShare: 1}, call: true, status: 500, code: "20500", retryable: true},
		{
			name: "21211 is permanent and unreachable", faults: faketwilio.Faults{Codes: map[string]int{to.E164(): 21211}},
			status: 400, code: "21211", unreachable: true,
		},
		{
			name: "21610 is permanent and unsubscribed", faults: faketwilio.Faults{Codes: map[string]int{to.E164(): 21610}},
			status: 400, code: "21610", unsubscribed: true,
		},
		{
			name: "21211 on a call", faults: faketwilio.Faults{Codes: map[string]int{to.E164(): 21211}}, call: true,
			status: 400, code: "21211", unreachable: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setupSender(t)
			f.fake.SetFaults(tt.faults)
			var err error
			if tt.call {
				_, err = f.sender.Call(context.Background(), to, public+"/twilio/voice")
			} else {
				_, err = f.sender.SendSMS(context.Background(), to, "hi")
			}
			var pe *care.ProviderError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, care.ProviderTwilio, pe.Provider)
			require.Equal(t, tt.status, pe.Status)
			require.Equal(t, tt.code, pe.Code)
			require.Equal(t, tt.retryable, pe.Retryable())
			require.Equal(t, tt.unreachable, pe.Unreachable())
			require.Equal(t, tt.unsubscribed, pe.Unsubscribed())
			require.NotContains(t, err.Error(), to.E164(), "phone numbers stay masked in errors")
			require.Empty(t, f.fake.Messages(""), "a refused message is not recorded")
		})
	}
}

func TestSenderTransportErrors(t *testing.T) {
	t.Parallel()
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	t.Cleanup(func() { close(hang); slow.Close() })
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
	}))
	t.Cleanup(proxy.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	wrongAuth := faketwilio.New(faketwilio.Options{AccountSID: sid, AuthToken: "othertoken"})
	wrongAuthSrv := httptest.NewServer(wrongAuth)
	t.Cleanup(wrongAuthSrv.Close)

	tests := []struct {
		name      string
		url       string
		retryable bool
		status    int
	}{
		{"timeout is retryable", slow.URL, true, 0},
		{"connection refused is retryable", closed.URL, true, 0},
		{"a proxy's HTML 502 is retryable", proxy.URL, true, 0},
		{"wrong credentials are permanent", wrongAuthSrv.URL, false, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSender(t, tt.url, 200*time.Millisecond)
			start := time.Now()
			_, err := s.SendSMS(context.Background(), to, "hi")
			require.Less(t, time.Since(start), 5*time.Second, "the timeout bounds the call")
			var pe *care.ProviderError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, tt.retryable, pe.Retryable(), err.Error())
			require.Equal(t, tt.status, pe.Status)
		})
	}
}

func TestNewSenderRejects(t *testing.T) {
	t.Parallel()
	ok := twilio.SenderConfig{AccountSID: sid, AuthToken: token, From: from, Timeout: time.Second}
	with := func(f func(*twilio.SenderConfig)) twilio.SenderConfig { c := ok; f(&c); return c }
	tests := []struct {
		name string
		c    twilio.SenderConfig
	}{
		{"token not alphanumeric", with(func(c *twilio.SenderConfig) { c.AuthToken = "tok-en" })},
		{"empty sid", with(func(c *twilio.SenderConfig) { c.AccountSID = "" })},
		{"no from", with(func(c *twilio.SenderConfig) { c.From = "" })},
		{"relative api URL", with(func(c *twilio.SenderConfig) { c.APIURL = "localhost:8080" })},
		{"no timeout", with(func(c *twilio.SenderConfig) { c.Timeout = 0 })},
		{"a messaging service and no caller id", with(func(c *twilio.SenderConfig) { c.From = service })},
		{"a messaging service as caller id", with(func(c *twilio.SenderConfig) { c.CallerID = service })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := twilio.NewSender(tt.c)
			require.Error(t, err)
		})
	}
	_, err := twilio.NewSender(ok)
	require.NoError(t, err)
}

// With a messaging service, SMS go with MessagingServiceSid and no From, and calls come from
// the caller id; with a number and a caller id, SMS come from the number.
func TestSenderFromAMessagingService(t *testing.T) {
	t.Parallel()
	const callerID = "+842873009999"
	fake := faketwilio.New(faketwilio.Options{AccountSID: sid, AuthToken: token,
		Numbers: []string{from, callerID}, Services: []string{service}})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	for _, c := range []twilio.SenderConfig{
		{From: service, CallerID: callerID},
		{From: from, CallerID: callerID},
	} {
		c.AccountSID, c.AuthToken, c.APIURL, c.StatusCallbackBase, c.Timeout = sid, token, srv.URL, public, 5*time.Second
		s, err := twilio.NewSender(c)
		require.NoError(t, err)
		to := care.Phone("+8490123" + fmt.Sprint(len(fake.Messages(""))+4560))
		_, err = s.SendSMS(ctx, to, "hi")
		require.NoError(t, err)
		_, err = s.Call(ctx, to, public+"/twilio/voice")
		require.NoError(t, err)
		msgs, calls := fake.Messages(to.E164()), fake.Calls(to.E164())
		require.Len(t, msgs, 1)
		require.Len(t, calls, 1)
		if c.From == service {
			require.Equal(t, service, msgs[0].MessagingServiceSid)
			require.Empty(t, msgs[0].From, "Twilio picks the number from the service")
		} else {
			require.Empty(t, msgs[0].MessagingServiceSid)
			require.Equal(t, from, msgs[0].From)
		}
		require.Equal(t, callerID, calls[0].From)
	}
}

func TestIsMessagingService(t *testing.T) {
	t.Parallel()
	require.True(t, twilio.IsMessagingService(service))
	for _, s := range []string{"", "MG123", "+84901234567", "AC0123456789abcdef0123456789abcdef", "MG0123456789abcdef0123456789abcdeg"} {
		require.False(t, twilio.IsMessagingService(s), s)
	}
}

// recorder is a StatusRecorder that knows every sid.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) RecordStatus(_ context.Context, rc care.Receipt) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, string(rc.Provider)+" "+rc.ProviderID+" "+string(rc.Status)+" "+rc.ErrorCode)
	return false, nil
}

// statusGateway serves the SMS status callback, behind the signature check, on a test server
// whose URL it returns; receipts go to st.
func statusGateway(t *testing.T, st twilio.StatusRecorder) string {
	t.Helper()
	gw := httptest.NewUnstartedServer(nil)
	base := "http://" + gw.Listener.Addr().String()
	h, err := twilio.New(twilio.Deps{Engine: &gatewaytest.Engine{Err: errors.New("not expected")}, Status: st, PublicBaseURL: base, Log: zerolog.Nop()})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /twilio/sms/status", twilio.RequireSignature(token, base, http.HandlerFunc(h.SMSStatus)))
	gw.Config.Handler = mux
	gw.Start()
	t.Cleanup(gw.Close)
	return base
}

// The fake's status callbacks are signed like Twilio's: the gateway's own signature check
// accepts them, and rejects them when the fake signs with another token.
func TestFakeStatusCallbackPassesSignatureCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fakeToken string
		status    string
		want      int
		recorded  []string
	}{
		{"signed with our token", token, "delivered", 200, []string{"twilio SID delivered "}},
		{"signed with another token", "othertoken", "delivered", 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			base := statusGateway(t, rec)

			fake := faketwilio.New(faketwilio.Options{AccountSID: sid, AuthToken: tt.fakeToken})
			api := httptest.NewServer(fake)
			t.Cleanup(api.Close)
			s, err := twilio.NewSender(twilio.SenderConfig{AccountSID: sid, AuthToken: tt.fakeToken, From: from,
				APIURL: api.URL, StatusCallbackBase: base, Timeout: 5 * time.Second})
			require.NoError(t, err)
			msgSid, err := s.SendSMS(context.Background(), to, "hi")
			require.NoError(t, err)

			got, err := fake.SendStatus(context.Background(), msgSid, tt.status, 0)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			var want []string
			for _, w := range tt.recorded {
				want = append(want, strings.Replace(w, "SID", msgSid, 1))
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			require.Equal(t, want, rec.got)
		})
	}
}
