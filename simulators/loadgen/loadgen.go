package loadgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caseline/caseline/simulators/phone"
)

// The service's webhook paths, as the providers call them.
const (
	smsPath  = "/twilio/sms"
	ussdPath = "/ussd/africastalking"
)

// Defaults for fields Options leaves zero.
const (
	DefaultWorkers        = 32
	DefaultMaxInFlight    = 256
	DefaultPhones         = 10000
	DefaultRequestTimeout = 15 * time.Second // about what a USSD aggregator waits
	DefaultServiceCode    = "*123#"
	DefaultAccountSID     = "AC00000000000000000000000000000000"
	DefaultTo             = "+84280000000"
	DefaultNetworkCode    = "45204"
	// phonePrefix and seven digits make the pool's numbers: +8490xxxxxxx, Vietnamese mobiles.
	phonePrefix = "+8490"
	maxPhones   = 10_000_000
)

// Options configures a run. A run is bounded by Count, Duration or both, and stops by itself.
type Options struct {
	// BaseURL is where the service listens, such as "http://127.0.0.1:8080". Every request
	// goes there and nowhere else; redirects are not followed.
	BaseURL string
	// AllowRemote permits a BaseURL that is not a loopback address.
	AllowRemote bool
	// PublicBaseURL, when set, is the gateway's PUBLIC_BASE_URL: signatures are computed as if
	// requests went there. Empty signs the URL actually requested.
	PublicBaseURL string
	// AuthToken signs the Twilio requests.
	AuthToken string
	// AccountSID is sent as AccountSid; DefaultAccountSID when empty.
	AccountSID string
	// To is the service's Twilio number; DefaultTo when empty.
	To string
	// USSDToken is the shared token on the USSD callback URL.
	USSDToken string
	// ServiceCode is the USSD code dialled; DefaultServiceCode when empty.
	ServiceCode string
	// NetworkCode is the USSD networkCode; DefaultNetworkCode when empty.
	NetworkCode string

	// Workers is the closed loop's concurrency: each worker sends, waits for the answer and
	// sends again. DefaultWorkers when zero. Ignored in open loop.
	Workers int
	// Rate, when above zero, selects the open loop: jobs start at this many per second
	// whether or not earlier ones were answered.
	Rate float64
	// MaxInFlight bounds the open loop's unanswered jobs; a job due while that many are out
	// is dropped and counted. DefaultMaxInFlight when zero.
	MaxInFlight int

	// Count is how many jobs to run (an SMS is one job, a whole USSD session another); zero
	// runs until Duration.
	Count int
	// Duration is the longest the run may take; requests still out then are cut off and
	// counted as aborted. Zero runs until Count.
	Duration time.Duration

	// USSDShare is the share of jobs, 0 to 1, that are USSD sessions; the rest are SMS.
	USSDShare float64
	// USSDInputs are what a USSD session types after dialling, one hop each (so a session
	// is 1+len(USSDInputs) requests unless the service ends it sooner). Default {"1"}.
	USSDInputs []string
	// Bodies are the SMS texts, used in turn. Default {"MENU"}. The service's loop protection
	// may go silent for a phone that repeats itself; a larger Phones pool spreads the load.
	Bodies []string

	// Phones is the size of the pool of distinct numbers (+8490xxxxxxx). Each worker owns
	// its own share, so no two requests in flight share a phone; that needs Phones at least
	// the concurrency unless SharePhones is set. DefaultPhones when zero.
	Phones int
	// SharePhones lets concurrent workers use the same numbers when Phones is smaller than
	// the concurrency, to load one phone's dialog session from many sides.
	SharePhones bool

	// RequestTimeout bounds the wait for an answer's headers, in the client made when
	// HTTPClient is nil; DefaultRequestTimeout when zero.
	RequestTimeout time.Duration
	// HTTPClient makes the requests; when nil, a client with enough idle connections per
	// host for the concurrency is made and closed after the run.
	HTTPClient *http.Client
}

// gen is one run's shared state.
type gen struct {
	opts   Options
	conc   int
	client *http.Client

	smsURL, ussdURL *url.URL
	smsSignURL      string // the SMS webhook's URL as the gateway checks its signature
	ussdHead        []byte // "serviceCode=…&networkCode=…&text="
	ussdTexts       [][]byte
	runID           string
	formType        []string // the Content-Type header's value, shared by every request

	next    atomic.Int64 // closed loop: the next job's index
	jobs    atomic.Int64
	reqs    atomic.Int64
	ok      atomic.Int64
	aborted atomic.Int64
	dropped atomic.Int64
	hist    histogram

	mu   sync.Mutex
	errs map[string]int64
}

// Run sends the load described by opts and reports what happened. It returns when Count jobs
// are done, Duration has passed or ctx is done, whichever comes first; every goroutine it
// starts has ended by then.
func Run(ctx context.Context, opts Options) (Report, error) {
	g, err := newGen(opts)
	if err != nil {
		return Report{}, err
	}
	if opts.HTTPClient == nil {
		defer g.client.CloseIdleConnections()
	}
	stop, cancel := ctx, context.CancelFunc(func() {})
	if g.opts.Duration > 0 {
		stop, cancel = context.WithTimeout(ctx, g.opts.Duration)
	}
	defer cancel()

	start := time.Now()
	var wg sync.WaitGroup
	if g.opts.Rate > 0 {
		g.open(stop, &wg)
	} else {
		for w := range g.conc {
			wk := g.worker(w)
			wg.Go(func() { wk.closed(stop) })
		}
	}
	wg.Wait()
	elapsed := time.Since(start)

	rep := Report{
		Mode:     "closed",
		Workers:  g.conc,
		Rate:     g.opts.Rate,
		Elapsed:  elapsed,
		Jobs:     g.jobs.Load(),
		Requests: g.reqs.Load(),
		OK:       g.ok.Load(),
		Errors:   g.errs,
		Dropped:  g.dropped.Load(),
		Aborted:  g.aborted.Load(),
		Latency:  g.hist.latency(),
	}
	if g.opts.Rate > 0 {
		rep.Mode = "open"
	}
	if s := elapsed.Seconds(); s > 0 {
		rep.Throughput = float64(rep.OK) / s
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("load: %w", err)
	}
	return rep, nil
}

// newGen checks opts and prepares a run: its client, its URLs and the request parts every
// worker shares.
func newGen(opts Options) (*gen, error) {
	o, base, signBase, err := checkOptions(opts)
	if err != nil {
		return nil, err
	}
	conc := o.Workers
	if o.Rate > 0 {
		conc = o.MaxInFlight
	}
	if o.Phones < conc && !o.SharePhones {
		return nil, fmt.Errorf("load: %d phones for %d concurrent requests: raise Phones or set SharePhones", o.Phones, conc)
	}
	g := &gen{opts: o, conc: conc, errs: map[string]int64{}, client: o.HTTPClient,
		formType: []string{"application/x-www-form-urlencoded"}, smsSignURL: signBase + smsPath}
	if g.client == nil {
		g.client = newClient(conc, o.RequestTimeout)
	}
	var id [8]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	g.runID = hex.EncodeToString(id[:])

	if g.smsURL, err = url.Parse(base + smsPath); err != nil {
		return nil, fmt.Errorf("load: sms url: %w", err)
	}
	if g.ussdURL, err = url.Parse(base + ussdPath + "?token=" + url.QueryEscape(o.USSDToken)); err != nil {
		return nil, fmt.Errorf("load: ussd url: %w", err)
	}
	esc := url.QueryEscape
	g.ussdHead = []byte("serviceCode=" + esc(o.ServiceCode) + "&networkCode=" + esc(o.NetworkCode) + "&text=")
	g.ussdTexts = [][]byte{nil}
	for i := range o.USSDInputs {
		g.ussdTexts = append(g.ussdTexts, []byte(esc(strings.Join(o.USSDInputs[:i+1], "*"))))
	}
	return g, nil
}

// checkOptions refuses options a run cannot use and fills in the defaults. It returns them
// with the base URL requests go to and the one their signatures name (the public one when
// set), both without a trailing slash.
func checkOptions(o Options) (Options, string, string, error) {
	base, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return o, "", "", fmt.Errorf("load: base url %q is not an http(s) URL with a host", o.BaseURL)
	}
	if !o.AllowRemote && !isLoopback(base.Hostname()) {
		return o, "", "", fmt.Errorf("load: base url %q is not a loopback address (set AllowRemote to load another host)", o.BaseURL)
	}
	signBase := base.String()
	if o.PublicBaseURL != "" {
		pub, err := url.Parse(strings.TrimRight(o.PublicBaseURL, "/"))
		if err != nil || pub.Host == "" {
			return o, "", "", fmt.Errorf("load: public base url %q is not a URL with a host", o.PublicBaseURL)
		}
		signBase = pub.String()
	}
	switch {
	case o.Count < 0 || o.Duration < 0:
		return o, "", "", errors.New("load: Count and Duration must not be negative")
	case o.Count == 0 && o.Duration == 0:
		return o, "", "", errors.New("load: set Count, Duration or both: a run must be bounded")
	case o.USSDShare < 0 || o.USSDShare > 1:
		return o, "", "", fmt.Errorf("load: USSDShare %v is not between 0 and 1", o.USSDShare)
	case o.Rate < 0 || o.Workers < 0 || o.MaxInFlight < 0 || o.Phones < 0:
		return o, "", "", errors.New("load: Rate, Workers, MaxInFlight and Phones must not be negative")
	case o.Phones > maxPhones:
		return o, "", "", fmt.Errorf("load: at most %d phones", maxPhones)
	}
	o.AccountSID = cmp(o.AccountSID, DefaultAccountSID)
	o.To = cmp(o.To, DefaultTo)
	o.ServiceCode = cmp(o.ServiceCode, DefaultServiceCode)
	o.NetworkCode = cmp(o.NetworkCode, DefaultNetworkCode)
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Phones == 0 {
		o.Phones = DefaultPhones
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if len(o.USSDInputs) == 0 {
		o.USSDInputs = []string{"1"}
	}
	if len(o.Bodies) == 0 {
		o.Bodies = []string{"MENU"}
	}
	return o, base.String(), signBase, nil
}

// newClient is a client for conc requests at once to one host: enough idle connections to
// keep them all, no proxy and no redirects (only ever the base URL), and timeout for the
// answer's headers.
func newClient(conc int, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil, // only ever the base URL
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * conc,
			MaxIdleConnsPerHost: 2 * conc,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			// A per-request timer in the transport costs less than Client.Timeout's
			// per-request context; the answers are small, so waiting for their headers
			// is what can hang.
			ResponseHeaderTimeout: timeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func cmp(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// open starts MaxInFlight workers and feeds them jobs at the target rate until the run is
// bounded, dropping a job when every worker is busy rather than waiting (which would hide
// the service's delay from the measurement).
func (g *gen) open(stop context.Context, wg *sync.WaitGroup) {
	jobs := make(chan int64, g.conc)
	var inFlight atomic.Int64
	for w := range g.conc {
		wk := g.worker(w)
		wg.Go(func() {
			for i := range jobs {
				wk.job(stop, i)
				inFlight.Add(-1)
			}
		})
	}
	defer close(jobs)
	start := time.Now()
	interval := float64(time.Second) / g.opts.Rate
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := int64(0); g.opts.Count == 0 || i < int64(g.opts.Count); i++ {
		due := start.Add(time.Duration(float64(i) * interval))
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-stop.Done():
			}
		}
		if stop.Err() != nil {
			return
		}
		if inFlight.Load() >= int64(g.conc) {
			g.dropped.Add(1)
			continue
		}
		inFlight.Add(1)
		jobs <- i // never blocks: at most conc jobs are out
	}
}

// worker is one sender with its own phones, buffers and signer.
type worker struct {
	g      *gen
	id     string   // 8 hex digits
	sid    [34]byte // "SM", 16 hex digits anew per message, the worker's id, 8 hex digits that count
	phones []phoneNum
	turn   int
	seq    uint64
	read   []byte
	// form is the SMS webhook's form, its values set anew for each message.
	form url.Values
}

type phoneNum struct{ raw, esc []byte }

func (g *gen) worker(w int) *worker {
	wk := &worker{
		g:    g,
		id:   fmt.Sprintf("%08x", w),
		read: make([]byte, 4096),
		form: url.Values{
			"AccountSid": {g.opts.AccountSID}, "ApiVersion": {"2010-04-01"}, "Body": {""}, "From": {""},
			"MessageSid": {""}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsMessageSid": {""},
			"SmsSid": {""}, "SmsStatus": {"received"}, "To": {g.opts.To},
		},
	}
	copy(wk.sid[:], "SM"+strings.Repeat("0", 16)+wk.id)
	add := func(j int) {
		raw := phonePrefix + fmt.Sprintf("%07d", j)
		wk.phones = append(wk.phones, phoneNum{raw: []byte(raw), esc: []byte(url.QueryEscape(raw))})
	}
	if g.opts.Phones < g.conc {
		add(w % g.opts.Phones) // SharePhones: the pool is smaller than the concurrency
	} else {
		for j := w; j < g.opts.Phones; j += g.conc {
			add(j)
		}
	}
	return wk
}

// closed runs jobs one after another until the count is reached or the run stops.
func (w *worker) closed(stop context.Context) {
	for stop.Err() == nil {
		i := w.g.next.Add(1) - 1
		if w.g.opts.Count > 0 && i >= int64(w.g.opts.Count) {
			return
		}
		w.job(stop, i)
	}
}

// isUSSD spreads USSD sessions evenly among jobs: job i is one when the running share of
// USSD jobs crosses a whole number at i.
func (g *gen) isUSSD(i int64) bool {
	s := g.opts.USSDShare
	return int64(float64(i+1)*s) > int64(float64(i)*s)
}

func (w *worker) job(stop context.Context, i int64) {
	if stop.Err() != nil {
		return // the run ended while the job waited
	}
	w.g.jobs.Add(1)
	ph := w.phones[w.turn%len(w.phones)]
	w.turn++
	w.seq++
	if w.g.isUSSD(i) {
		w.ussd(stop, ph)
		return
	}
	w.sms(stop, ph, w.g.opts.Bodies[int(i)%len(w.g.opts.Bodies)])
}

// sms sends one SMS webhook as Twilio does: its form, signed by phone.Sign, the simulators'
// one signer.
func (w *worker) sms(stop context.Context, ph phoneNum, text string) {
	g := w.g
	// Twilio's ids are random, so its webhooks land all over the provider-id unique index;
	// ids in sequence would append at 32 places and hide what a large index costs a turn.
	// The worker's id and its count keep them unique within a run.
	sid := w.sid
	var r [8]byte
	binary.BigEndian.PutUint64(r[:], mrand.Uint64())
	hex.Encode(sid[2:18], r[:])
	hex.Encode(sid[26:], []byte{byte(w.seq >> 24), byte(w.seq >> 16), byte(w.seq >> 8), byte(w.seq)})
	form, id := w.form, string(sid[:])
	form["Body"][0], form["From"][0] = text, string(ph.raw)
	form["MessageSid"][0], form["SmsMessageSid"][0], form["SmsSid"][0] = id, id, id
	ans, ok := w.post(stop, g.smsURL, []byte(form.Encode()), phone.Sign(g.opts.AuthToken, g.smsSignURL, form))
	if ok && !bytes.Contains(ans, []byte("<Response")) {
		g.fail("protocol")
		return
	}
	if ok {
		g.ok.Add(1)
	}
}

func (w *worker) ussd(stop context.Context, ph phoneNum) {
	g := w.g
	sid := "ATUid_" + g.runID + w.id + strconv.FormatUint(w.seq, 16)
	for _, text := range g.ussdTexts {
		body := make([]byte, 0, 64+len(sid)+len(g.ussdHead)+len(ph.esc)+len(text))
		body = append(body, "sessionId="...)
		body = append(body, sid...)
		body = append(body, "&phoneNumber="...)
		body = append(body, ph.esc...)
		body = append(body, '&')
		body = append(body, g.ussdHead...)
		body = append(body, text...)
		ans, ok := w.post(stop, g.ussdURL, body, "")
		if !ok {
			return
		}
		switch {
		case bytes.HasPrefix(ans, []byte("CON")):
			g.ok.Add(1)
		case bytes.HasPrefix(ans, []byte("END")):
			g.ok.Add(1)
			return // the service closed the session
		default:
			g.fail("protocol")
			return
		}
	}
}

// post sends one request and reads the start of its answer into w.read. It reports false
// when the request failed, after counting the failure.
func (w *worker) post(stop context.Context, target *url.URL, body []byte, sig string) ([]byte, bool) {
	g := w.g
	// Built by hand rather than by http.NewRequest, which parses the URL again each time;
	// the transport only reads URL and the shared header value.
	h := make(http.Header, 2)
	h["Content-Type"] = g.formType
	if sig != "" {
		h["X-Twilio-Signature"] = []string{sig}
	}
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           target,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          target.Host,
	}).WithContext(stop)
	t0 := time.Now()
	resp, err := g.client.Do(req)
	if err != nil {
		g.failed(stop, err)
		return nil, false
	}
	g.reqs.Add(1)
	n, err := io.ReadFull(resp.Body, w.read)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = nil
	} else if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	if err != nil {
		g.reqs.Add(-1) // counted again by failed, or not at all when aborted
		g.failed(stop, err)
		return nil, false
	}
	g.hist.record(time.Since(t0))
	if resp.StatusCode != http.StatusOK {
		g.fail(statusKind(resp.StatusCode))
		return nil, false
	}
	return w.read[:n], true
}

func statusKind(code int) string { return "http " + strconv.Itoa(code) }

// failed counts a request that got no answer: aborted when the run was stopping, a timeout,
// or another transport failure.
func (g *gen) failed(stop context.Context, err error) {
	var ne net.Error
	if stop.Err() != nil {
		g.aborted.Add(1)
		return
	}
	g.reqs.Add(1)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		g.fail("timeout")
	default:
		g.fail("transport")
	}
}

// fail counts an error of a kind for a request already counted.
func (g *gen) fail(kind string) {
	g.mu.Lock()
	g.errs[kind]++
	g.mu.Unlock()
}
