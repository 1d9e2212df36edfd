package faketwilio_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"

	"github.com/caseline/caseline/simulators/faketwilio"
)

const (
	sid   = "AC123"
	token = "token123"
	to    = "+84901234567"
	from  = "+842873001234"
	// service is a messaging service SID: MG and 32 hex digits.
	service = "MG0123456789abcdef0123456789abcdef"
)

type harness struct {
	fake *faketwilio.Server
	srv  *httptest.Server
}

func setup(t *testing.T, o faketwilio.Options) *harness {
	t.Helper()
	if o.AccountSID == "" {
		o.AccountSID, o.AuthToken = sid, token
	}
	h := &harness{fake: faketwilio.New(o)}
	h.srv = httptest.NewServer(h.fake)
	t.Cleanup(h.srv.Close)
	return h
}

// do sends a request; user "" sends no Basic auth. It decodes a JSON answer into a map.
func (h *harness) do(t *testing.T, method, path, user, pass string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := h.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(b, &out), string(b))
	}
	return resp.StatusCode, out
}

const messagesPath = "/2010-04-01/Accounts/" + sid + "/Messages.json"
const callsPath = "/2010-04-01/Accounts/" + sid + "/Calls.json"

func TestREST(t *testing.T) {
	t.Parallel()
	msg := url.Values{"To": {to}, "From": {from}, "Body": {"hi"}, "StatusCallback": {"https://x/twilio/sms/status"}}
	call := url.Values{"To": {to}, "From": {from}, "Url": {"https://x/twilio/voice"}}
	tests := []struct {
		name       string
		path       string
		user, pass string
		form       url.Values
		faults     faketwilio.Faults
		status     int
		want       map[string]any // fields that must be in the answer
	}{
		{name: "message created", path: messagesPath, user: sid, pass: token, form: msg, status: 201,
			want: map[string]any{"status": "queued", "to": to, "from": from, "body": "hi", "account_sid": sid, "direction": "outbound-api", "api_version": "2010-04-01"}},
		{name: "call created", path: callsPath, user: sid, pass: token, form: call, status: 201,
			want: map[string]any{"status": "queued", "to": to, "from": from, "account_sid": sid, "direction": "outbound-api"}},
		{name: "no auth", path: messagesPath, form: msg, status: 401, want: map[string]any{"code": 20003.0, "status": 401.0}},
		{name: "wrong token", path: messagesPath, user: sid, pass: "nope", form: msg, status: 401, want: map[string]any{"code": 20003.0}},
		{name: "other account in path", path: "/2010-04-01/Accounts/AC999/Messages.json", user: sid, pass: token, form: msg, status: 404, want: map[string]any{"code": 20404.0}},
		{name: "missing To", path: messagesPath, user: sid, pass: token, form: url.Values{"From": {from}, "Body": {"hi"}}, status: 400,
			want: map[string]any{"code": 21604.0, "status": 400.0, "more_info": "https://www.twilio.com/docs/errors/21604"}},
		{name: "invalid To", path: messagesPath, user: sid, pass: token, form: url.Values{"To": {"12"}, "From": {from}, "Body": {"hi"}}, status: 400,
			want: map[string]any{"code": 21211.0}},
		{name: "missing Body", path: messagesPath, user: sid, pass: token, form: url.Values{"To": {to}, "From": {from}}, status: 400,
			want: map[string]any{"code": 21602.0}},
		{name: "call without Url", path: callsPath, user: sid, pass: token, form: url.Values{"To": {to}, "From": {from}}, status: 400,
			want: map[string]any{"code": 21205.0}},
		{name: "injected code for a number", path: messagesPath, user: sid, pass: token, form: msg,
			faults: faketwilio.Faults{Codes: map[string]int{to: 21610}}, status: 400, want: map[string]any{"code": 21610.0, "status": 400.0}},
		{name: "injected code spares other numbers", path: messagesPath, user: sid, pass: token, form: msg,
			faults: faketwilio.Faults{Codes: map[string]int{"+84987654321": 21610}}, status: 201},
		{name: "injected 429", path: callsPath, user: sid, pass: token, form: call,
			faults: faketwilio.Faults{RateLimitShare: 1}, status: 429, want: map[string]any{"code": 20429.0, "status": 429.0}},
		{name: "injected 5xx", path: messagesPath, user: sid, pass: token, form: msg,
			faults: faketwilio.Faults{ServerErrorShare: 1}, status: 500, want: map[string]any{"code": 20500.0}},
		{name: "unknown path", path: "/2010-04-01/Accounts/" + sid + "/Queues.json", user: sid, pass: token, form: msg, status: 404},
		{name: "message through a messaging service", path: messagesPath, user: sid, pass: token,
			form: url.Values{"To": {to}, "MessagingServiceSid": {service}, "Body": {"hi"}}, status: 201,
			want: map[string]any{"messaging_service_sid": service, "from": nil, "status": "accepted"}},
		{name: "message from nobody", path: messagesPath, user: sid, pass: token, form: url.Values{"To": {to}, "Body": {"hi"}}, status: 400,
			want: map[string]any{"code": 21603.0}},
		{name: "malformed messaging service", path: messagesPath, user: sid, pass: token,
			form: url.Values{"To": {to}, "MessagingServiceSid": {"MG123"}, "Body": {"hi"}}, status: 400, want: map[string]any{"code": 21705.0}},
		{name: "call from a messaging service", path: callsPath, user: sid, pass: token,
			form: url.Values{"To": {to}, "From": {service}, "Url": {"https://x/twilio/voice"}}, status: 400, want: map[string]any{"code": 21210.0}},
		{name: "call from nobody", path: callsPath, user: sid, pass: token,
			form: url.Values{"To": {to}, "Url": {"https://x/twilio/voice"}}, status: 400, want: map[string]any{"code": 21213.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, faketwilio.Options{})
			h.fake.SetFaults(tt.faults)
			status, got := h.do(t, http.MethodPost, tt.path, tt.user, tt.pass, tt.form)
			require.Equal(t, tt.status, status, "%v", got)
			for k, v := range tt.want {
				require.Equal(t, v, got[k], k)
			}
			stored := len(h.fake.Messages("")) + len(h.fake.Calls(""))
			if status == http.StatusCreated {
				require.Equal(t, 1, stored)
				require.Regexp(t, `^(SM|CA)[0-9a-f]{32}$`, got["sid"])
				_, err := time.Parse(time.RFC1123Z, got["date_created"].(string))
				require.NoError(t, err)
			} else {
				require.Zero(t, stored, "refused requests are not recorded")
			}
		})
	}
}

// With the account's numbers and services given, the fake refuses others as Twilio does.
func TestTheAccountsNumbersAndServices(t *testing.T) {
	t.Parallel()
	const other = "+842873009999"
	h := setup(t, faketwilio.Options{Numbers: []string{from}, Services: []string{service}})
	tests := []struct {
		name, path string
		form       url.Values
		status     int
		code       float64
	}{
		{"a call from our number", callsPath, url.Values{"To": {to}, "From": {from}, "Url": {"https://x/v"}}, 201, 0},
		{"a call from a number not ours", callsPath, url.Values{"To": {to}, "From": {other}, "Url": {"https://x/v"}}, 400, 21210},
		{"an SMS from our number", messagesPath, url.Values{"To": {to}, "From": {from}, "Body": {"x"}}, 201, 0},
		{"an SMS from a number not ours", messagesPath, url.Values{"To": {to}, "From": {other}, "Body": {"x"}}, 400, 21606},
		{"an SMS through our service", messagesPath, url.Values{"To": {to}, "MessagingServiceSid": {service}, "Body": {"x"}}, 201, 0},
		{"an SMS through a service not ours", messagesPath,
			url.Values{"To": {to}, "MessagingServiceSid": {"MG" + strings.Repeat("0", 32)}, "Body": {"x"}}, 400, 21701},
	}
	for _, tt := range tests {
		status, got := h.do(t, http.MethodPost, tt.path, sid, token, tt.form)
		require.Equal(t, tt.status, status, "%s: %v", tt.name, got)
		if tt.code != 0 {
			require.Equal(t, tt.code, got["code"], tt.name)
		}
	}
}

func TestListAndKeep(t *testing.T) {
	t.Parallel()
	h := setup(t, faketwilio.Options{Keep: 3})
	for i, n := range []string{"+84900000001", to, "+84900000002", to, to} {
		status, _ := h.do(t, http.MethodPost, messagesPath, sid, token,
			url.Values{"To": {n}, "From": {from}, "Body": {string(rune('a' + i))}})
		require.Equal(t, 201, status)
	}
	var list struct {
		Messages []faketwilio.Message `json:"messages"`
	}
	get := func(q string) []string {
		resp, err := h.srv.Client().Get(h.srv.URL + "/_fake/messages" + q)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
		var bodies []string
		for _, m := range list.Messages {
			bodies = append(bodies, m.Body)
		}
		return bodies
	}
	require.Equal(t, []string{"c", "d", "e"}, get(""), "the newest 3, oldest first")
	require.Equal(t, []string{"d", "e"}, get("?to=%2B84901234567"))
	require.Equal(t, []string{"d", "e"}, get("?to=+84901234567"), "an unescaped + is read as one")
	require.Empty(t, get("?to=%2B84999999999"))

	resp, err := h.srv.Client().Get(h.srv.URL + "/_fake/calls")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.JSONEq(t, `{"calls":[]}`, string(b))
}

func TestFaultsEndpoint(t *testing.T) {
	t.Parallel()
	h := setup(t, faketwilio.Options{})
	post := func(body string) int {
		resp, err := h.srv.Client().Post(h.srv.URL+"/_fake/faults", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, 200, post(`{"rate_limit_share":1}`))
	status, _ := h.do(t, http.MethodPost, messagesPath, sid, token, url.Values{"To": {to}, "From": {from}, "Body": {"x"}})
	require.Equal(t, 429, status)

	require.Equal(t, 200, post(`{"codes":{"+84901234567":21211}}`))
	require.Equal(t, faketwilio.Faults{Codes: map[string]int{to: 21211}}, h.fake.Faults())
	status, got := h.do(t, http.MethodPost, messagesPath, sid, token, url.Values{"To": {to}, "From": {from}, "Body": {"x"}})
	require.Equal(t, 400, status)
	require.Equal(t, 21211.0, got["code"])

	require.Equal(t, 400, post(`{"rate_limit_share":0.7,"server_error_share":0.7}`))
	require.Equal(t, 400, post(`{"unknown":1}`))
	require.Equal(t, 400, post(`not json`))

	req, err := http.NewRequest(http.MethodDelete, h.srv.URL+"/_fake/faults", nil)
	require.NoError(t, err)
	resp, err := h.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 204, resp.StatusCode)
	status, _ = h.do(t, http.MethodPost, messagesPath, sid, token, url.Values{"To": {to}, "From": {from}, "Body": {"x"}})
	require.Equal(t, 201, status)
}

// callbackSink records signed status callbacks and checks them with twilio-go's validator.
type callbackSink struct {
	mu    sync.Mutex
	forms []url.Values
	valid []bool
	srv   *httptest.Server
}

func newSink(t *testing.T) *callbackSink {
	t.Helper()
	s := &callbackSink{}
	rv := client.NewRequestValidator(token)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		form, err := url.ParseQuery(string(body))
		require.NoError(t, err)
		ok := rv.ValidateBody(s.srv.URL+r.URL.RequestURI(), body, r.Header.Get("X-Twilio-Signature"))
		s.mu.Lock()
		s.forms, s.valid = append(s.forms, form), append(s.valid, ok)
		s.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func TestStatusCallbacks(t *testing.T) {
	t.Parallel()
	h := setup(t, faketwilio.Options{})
	sink := newSink(t)
	_, m := h.do(t, http.MethodPost, messagesPath, sid, token,
		url.Values{"To": {to}, "From": {from}, "Body": {"x"}, "StatusCallback": {sink.srv.URL + "/twilio/sms/status?x=1"}})
	_, c := h.do(t, http.MethodPost, callsPath, sid, token,
		url.Values{"To": {to}, "From": {from}, "Url": {"https://x/v"}, "StatusCallback": {sink.srv.URL + "/twilio/voice/status"}})
	_, quiet := h.do(t, http.MethodPost, messagesPath, sid, token, url.Values{"To": {to}, "From": {from}, "Body": {"y"}})

	got, err := h.fake.SendStatus(context.Background(), m["sid"].(string), "undelivered", 30003)
	require.NoError(t, err)
	require.Equal(t, 200, got)

	// The HTTP trigger does the same for the call.
	resp, err := h.srv.Client().PostForm(h.srv.URL+"/_fake/status", url.Values{"sid": {c["sid"].(string)}, "status": {"no-answer"}})
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(b))
	require.JSONEq(t, `{"callback_status":200}`, string(b))

	got, err = h.fake.SendStatus(context.Background(), quiet["sid"].(string), "delivered", 0)
	require.NoError(t, err)
	require.Zero(t, got, "no StatusCallback, no callback")

	_, err = h.fake.SendStatus(context.Background(), "SMnope", "delivered", 0)
	require.ErrorIs(t, err, faketwilio.ErrUnknownSid)
	resp, err = h.srv.Client().PostForm(h.srv.URL+"/_fake/status", url.Values{"sid": {"SMnope"}, "status": {"sent"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)

	sink.mu.Lock()
	defer sink.mu.Unlock()
	require.Equal(t, []bool{true, true}, sink.valid, "callbacks are signed like Twilio's")
	require.Equal(t, m["sid"], sink.forms[0].Get("MessageSid"))
	require.Equal(t, "undelivered", sink.forms[0].Get("MessageStatus"))
	require.Equal(t, "30003", sink.forms[0].Get("ErrorCode"))
	require.Equal(t, c["sid"], sink.forms[1].Get("CallSid"))
	require.Equal(t, "no-answer", sink.forms[1].Get("CallStatus"))
	require.Equal(t, to, sink.forms[1].Get("To"))
	require.Equal(t, "undelivered", h.fake.Messages(to)[0].Status, "the stored message moves too")
}

func TestConcurrentSends(t *testing.T) {
	t.Parallel()
	const n = 40
	h := setup(t, faketwilio.Options{Keep: n / 2})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, h.srv.URL+messagesPath,
				strings.NewReader(url.Values{"To": {to}, "From": {from}, "Body": {"x"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(sid, token)
			resp, err := h.srv.Client().Do(req)
			if err == nil {
				resp.Body.Close()
			}
		}()
		go func() {
			defer wg.Done()
			_ = h.fake.Messages(to)
			h.fake.SetFaults(faketwilio.Faults{})
		}()
	}
	wg.Wait()
	msgs := h.fake.Messages("")
	require.Len(t, msgs, n/2)
	seen := map[string]bool{}
	for _, m := range msgs {
		require.False(t, seen[m.Sid], "sids are unique")
		seen[m.Sid] = true
	}
}

func TestServeStopsWithContext(t *testing.T) {
	t.Parallel()
	fake := faketwilio.New(faketwilio.Options{AccountSID: sid, AuthToken: token})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fake.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/_fake/messages")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}
