package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	twclient "github.com/twilio/twilio-go/client"
)

const (
	testToken     = "authtoken123"
	testUSSDToken = "ussdsecret"
)

var sidRE = regexp.MustCompile(`^SM[0-9a-f]{32}$`)

// fakeService answers like a minimal Caseline and checks what the generator sends: Twilio
// signatures with twilio-go's RequestValidator, unique MessageSids, no phone with two
// requests in flight, and USSD text accumulation.
type fakeService struct {
	base string
	// answer, when set, decides the status of the nth request (from 0); 200 otherwise.
	answer func(n int64) int
	// body, when set, replaces the well-formed answer.
	body  string
	delay time.Duration
	hang  chan struct{} // when set, requests wait until it is closed

	n        atomic.Int64
	mu       sync.Mutex
	sids     map[string]bool
	inFlight map[string]int
	froms    map[string]int
	texts    map[string]int // USSD text → count
	problems []string
}

func (f *fakeService) problem(format string, args ...any) {
	f.mu.Lock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

func (f *fakeService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.n.Add(1) - 1
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	phone := r.PostForm.Get("From") + r.PostForm.Get("phoneNumber")
	f.mu.Lock()
	f.inFlight[phone]++
	if f.inFlight[phone] > 1 {
		f.problems = append(f.problems, "two requests in flight for "+phone)
	}
	f.froms[phone]++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight[phone]--
		f.mu.Unlock()
	}()
	if f.hang != nil {
		select {
		case <-f.hang:
		case <-r.Context().Done():
			return
		}
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if f.answer != nil {
		if code := f.answer(n); code != http.StatusOK {
			http.Error(w, "no", code)
			return
		}
	}
	switch r.URL.Path {
	case "/twilio/sms":
		params := map[string]string{}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
		rv := twclient.NewRequestValidator(testToken)
		if !rv.Validate(f.base+r.URL.RequestURI(), params, r.Header.Get("X-Twilio-Signature")) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		sid := params["MessageSid"]
		if !sidRE.MatchString(sid) || params["SmsSid"] != sid || params["Body"] == "" || params["AccountSid"] == "" {
			f.problem("malformed SMS %v", params)
		}
		f.mu.Lock()
		if f.sids[sid] {
			f.problems = append(f.problems, "MessageSid repeated: "+sid)
		}
		f.sids[sid] = true
		f.mu.Unlock()
		if f.body != "" {
			fmt.Fprint(w, f.body)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Menu</Message></Response>`)
	case "/ussd/africastalking":
		if r.URL.Query().Get("token") != testUSSDToken {
			http.Error(w, "bad token", http.StatusForbidden)
			return
		}
		text := r.PostForm.Get("text")
		f.mu.Lock()
		f.texts[text]++
		f.mu.Unlock()
		if f.body != "" {
			fmt.Fprint(w, f.body)
			return
		}
		if strings.Count(text, "*") >= 2 || text == "9" {
			fmt.Fprint(w, "END Bye")
			return
		}
		fmt.Fprint(w, "CON Menu\n1 One\n2 Two")
	default:
		http.NotFound(w, r)
	}
}

// setup starts a fake service, lets configure change it before it serves, and returns
// options aimed at it.
func setup(t *testing.T, configure func(*fakeService)) (*fakeService, Options) {
	t.Helper()
	f := &fakeService{sids: map[string]bool{}, inFlight: map[string]int{}, froms: map[string]int{}, texts: map[string]int{}}
	if configure != nil {
		configure(f)
	}
	srv := httptest.NewServer(f)
	f.base = srv.URL
	t.Cleanup(func() {
		if f.hang != nil {
			close(f.hang)
		}
		srv.Close()
		require.Empty(t, f.problems)
	})
	return f, Options{BaseURL: srv.URL, AuthToken: testToken, USSDToken: testUSSDToken}
}

func TestClosedLoop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      Options
		reqs      int64
		texts     map[string]int
		maxPhones int // distinct numbers the service may see; 0 for no limit
	}{
		{name: "sms", opts: Options{Count: 300, Workers: 8, Phones: 50}, reqs: 300},
		{name: "ussd three hops", opts: Options{Count: 40, Workers: 4, USSDShare: 1, USSDInputs: []string{"1", "2"}},
			reqs: 120, texts: map[string]int{"": 40, "1": 40, "1*2": 40}},
		{name: "ussd ended by the service", opts: Options{Count: 10, Workers: 2, USSDShare: 1, USSDInputs: []string{"9", "1"}},
			reqs: 20, texts: map[string]int{"": 10, "9": 10}},
		{name: "mixed", opts: Options{Count: 100, Workers: 6, USSDShare: 0.25, Bodies: []string{"MENU", "giúp tôi & bạn"}},
			reqs: 75 + 2*25, texts: map[string]int{"": 25, "1": 25}},
		{name: "shared phones", opts: Options{Count: 50, Workers: 1, Phones: 1, SharePhones: true}, reqs: 50, maxPhones: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, opts := setup(t, nil)
			o := tt.opts
			o.BaseURL, o.AuthToken, o.USSDToken = opts.BaseURL, opts.AuthToken, opts.USSDToken
			rep, err := Run(context.Background(), o)
			require.NoError(t, err)
			require.Equal(t, "closed", rep.Mode)
			require.Equal(t, int64(o.Count), rep.Jobs)
			require.Equal(t, tt.reqs, rep.Requests)
			require.Equal(t, tt.reqs, rep.OK, rep.Errors)
			require.Zero(t, rep.ErrorCount())
			require.Equal(t, tt.reqs, f.n.Load(), "the service saw every request once")
			require.Positive(t, rep.Throughput)
			require.Positive(t, rep.Latency.P50)
			require.LessOrEqual(t, rep.Latency.P50, rep.Latency.P99)
			require.LessOrEqual(t, rep.Latency.P99, rep.Latency.Max)
			if tt.texts != nil {
				require.Equal(t, tt.texts, f.texts)
			}
			if tt.maxPhones > 0 {
				require.LessOrEqual(t, len(f.froms), tt.maxPhones)
			}
			for phone := range f.froms {
				require.Regexp(t, `^\+8490\d{7}$`, phone)
			}
		})
	}
}

func TestErrorsCounted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fake   func(*fakeService)
		opts   func(*Options)
		ok     int64
		errors map[string]int64
	}{
		{name: "every fourth a 500", fake: func(f *fakeService) {
			f.answer = func(n int64) int {
				if n%4 == 0 {
					return 500
				}
				return 200
			}
		}, ok: 75, errors: map[string]int64{"http 500": 25}},
		{name: "wrong auth token", opts: func(o *Options) { o.AuthToken = "wrong" }, errors: map[string]int64{"http 403": 100}},
		{name: "wrong ussd token", opts: func(o *Options) { o.USSDShare = 1 }, fake: nil, ok: 0, errors: map[string]int64{"http 403": 100}},
		{name: "not twiml", fake: func(f *fakeService) { f.body = "hello" }, errors: map[string]int64{"protocol": 100}},
		{name: "not CON or END", opts: func(o *Options) { o.USSDShare = 1 }, fake: func(f *fakeService) { f.body = "OK fine" }, errors: map[string]int64{"protocol": 100}},
		{name: "timeout", opts: func(o *Options) { o.Count = 4; o.RequestTimeout = 50 * time.Millisecond },
			fake: func(f *fakeService) { f.delay = 300 * time.Millisecond }, errors: map[string]int64{"timeout": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, opts := setup(t, tt.fake)
			opts.Count, opts.Workers = 100, 1 // one worker: the nth request is the nth job
			if tt.name == "wrong ussd token" {
				opts.USSDToken = "wrong"
			}
			if tt.opts != nil {
				tt.opts(&opts)
			}
			rep, err := Run(context.Background(), opts)
			require.NoError(t, err)
			require.Equal(t, tt.ok, rep.OK)
			require.Equal(t, tt.errors, rep.Errors)
			require.Equal(t, rep.OK+rep.ErrorCount(), rep.Requests)
			require.Contains(t, rep.String(), "errors      ")
		})
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now
	rep, err := Run(context.Background(), Options{BaseURL: base, AuthToken: testToken, Count: 10, Workers: 2})
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"transport": 10}, rep.Errors)
	require.Zero(t, rep.OK)
}

func TestOpenLoop(t *testing.T) {
	t.Parallel()
	f, opts := setup(t, nil)
	opts.Rate, opts.Count, opts.MaxInFlight = 200, 60, 60 // room for all: none may be dropped
	rep, err := Run(context.Background(), opts)
	require.NoError(t, err)
	require.Equal(t, "open", rep.Mode)
	require.Equal(t, int64(60), rep.Jobs)
	require.Equal(t, int64(60), rep.OK)
	require.Zero(t, rep.Dropped)
	require.Equal(t, int64(60), f.n.Load())
	// 60 jobs at 200/s: the last starts 295 ms after the first.
	require.GreaterOrEqual(t, rep.Elapsed, 290*time.Millisecond)
	require.Less(t, rep.Elapsed, 3*time.Second)
	require.Contains(t, rep.String(), "open loop, target 200 jobs/s")
}

func TestOpenLoopDropsWhenFull(t *testing.T) {
	t.Parallel()
	_, opts := setup(t, func(f *fakeService) { f.delay = 200 * time.Millisecond })
	opts.Rate, opts.Count, opts.MaxInFlight = 100, 30, 2
	rep, err := Run(context.Background(), opts)
	require.NoError(t, err)
	// 30 jobs over 300 ms, each taking 200 ms, two at a time: at most 2+2 start.
	require.Positive(t, rep.Dropped)
	require.Equal(t, int64(30), rep.Jobs+rep.Dropped)
	require.LessOrEqual(t, rep.Jobs, int64(6))
	require.Equal(t, rep.Jobs, rep.OK)
}

func TestStopsAtDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fake func(*fakeService)
		opts Options
	}{
		{name: "closed, fast service", opts: Options{Workers: 4}},
		{name: "closed, hung service", fake: func(f *fakeService) { f.hang = make(chan struct{}) }, opts: Options{Workers: 4}},
		{name: "open, hung service", fake: func(f *fakeService) { f.hang = make(chan struct{}) }, opts: Options{Rate: 1000, MaxInFlight: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, opts := setup(t, tt.fake)
			o := tt.opts
			o.BaseURL, o.AuthToken, o.Duration = opts.BaseURL, opts.AuthToken, 300*time.Millisecond
			start := time.Now()
			rep, err := Run(context.Background(), o)
			require.NoError(t, err)
			took := time.Since(start)
			require.GreaterOrEqual(t, took, 300*time.Millisecond)
			require.Less(t, took, 2*time.Second, "the run must stop at its deadline")
			require.Zero(t, rep.ErrorCount(), rep.Errors)
			if f.hang != nil {
				require.Zero(t, rep.OK)
				// Every job started waits on the hung service until the deadline cuts it off;
				// that is not the service's error. At most four were out.
				require.Equal(t, rep.Jobs, rep.Aborted, "requests cut off are aborted, not errors")
				require.LessOrEqual(t, rep.Aborted, int64(4))
			} else {
				require.Positive(t, rep.OK)
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	_, opts := setup(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	opts.Duration = time.Minute
	_, err := Run(ctx, opts)
	require.ErrorIs(t, err, context.Canceled)
}

func TestOptionsRejected(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"unbounded", Options{BaseURL: "http://127.0.0.1:1"}, "bounded"},
		{"remote", Options{BaseURL: "http://example.com", Count: 1}, "loopback"},
		{"not a url", Options{BaseURL: "127.0.0.1:8080", Count: 1}, "http(s) URL"},
		{"too few phones", Options{BaseURL: "http://localhost:1", Count: 1, Workers: 10, Phones: 5}, "SharePhones"},
		{"ussd share", Options{BaseURL: "http://[::1]:1", Count: 1, USSDShare: 1.5}, "USSDShare"},
		{"negative", Options{BaseURL: "http://127.0.0.1:1", Count: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Run(context.Background(), tt.opts)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestReportForms(t *testing.T) {
	t.Parallel()
	rep := Report{
		Mode: "closed", Workers: 32, Elapsed: 2 * time.Second, Jobs: 1000, Requests: 1000, OK: 990,
		Errors: map[string]int64{"http 500": 7, "timeout": 3}, Throughput: 495,
		Latency: Latency{P50: 2 * time.Millisecond, P95: 5 * time.Millisecond, P99: 9 * time.Millisecond, Max: 20 * time.Millisecond, Mean: 3 * time.Millisecond},
	}
	require.Equal(t, "closed loop: 1000 req in 2s, 495 msg/s, p50 2.00ms p95 5.00ms p99 9.00ms max 20.00ms, 10 errors, 0 dropped", rep.Line())
	require.Contains(t, rep.String(), "errors      10  http 500: 7  timeout: 3\n")
	require.Contains(t, rep.String(), "latency     p50 2.00ms  p95 5.00ms  p99 9.00ms  max 20.00ms  mean 3.00ms\n")
	var b strings.Builder
	require.NoError(t, rep.WriteJSON(&b))
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(b.String()), &got))
	require.Equal(t, 495.0, got["msgs_per_s"])
	require.Equal(t, 9.0, got["latency_p99_ms"])
	require.Equal(t, 2000.0, got["elapsed_ms"])
	require.Equal(t, map[string]any{"http 500": 7.0, "timeout": 3.0}, got["errors"])
}
