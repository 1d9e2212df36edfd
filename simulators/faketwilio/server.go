package faketwilio

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultKeep is how many messages and how many calls a Server remembers by default.
const DefaultKeep = 100_000

const (
	apiVersion = "2010-04-01"
	maxBody    = 64 << 10
	// dateLayout is how Twilio writes dates in JSON ("Mon, 23 Nov 2026 12:00:00 +0000").
	dateLayout = time.RFC1123Z
)

// Options configure a Server.
type Options struct {
	// AccountSID and AuthToken are the credentials twilio-go must present (Basic auth), and
	// the token status callbacks are signed with.
	AccountSID string
	AuthToken  string
	// Keep bounds memory: only the newest Keep messages and Keep calls are kept. 0 means
	// DefaultKeep.
	Keep int
	// Client posts status callbacks; nil means a client with a 10 s timeout.
	Client *http.Client
	// Now tells the time for date fields; nil means time.Now.
	Now func() time.Time
	// Numbers are the account's phone numbers (bought, or verified as caller ids). When set,
	// a call must come from one of them, as Twilio requires (else 21210), and an SMS's From
	// too (else 21606). A call from anything but a phone number is 21210 regardless.
	Numbers []string
	// Services are the account's messaging service SIDs. When set, a MessagingServiceSid must
	// be one of them (else 21701); one not shaped like a SID is 21705 regardless.
	Services []string
}

// Message is a message the fake accepted.
type Message struct {
	Sid        string `json:"sid"`
	AccountSid string `json:"account_sid"`
	To         string `json:"to"`
	From       string `json:"from"`
	// MessagingServiceSid is set when the message went through a messaging service; From
	// is then empty until Twilio picks a number.
	MessagingServiceSid string    `json:"messaging_service_sid,omitempty"`
	Body                string    `json:"body"`
	Status              string    `json:"status"`
	StatusCallback      string    `json:"status_callback,omitempty"`
	ErrorCode           int       `json:"error_code,omitempty"`
	DateCreated         time.Time `json:"date_created"`
}

// Call is a call the fake accepted.
type Call struct {
	Sid            string    `json:"sid"`
	AccountSid     string    `json:"account_sid"`
	To             string    `json:"to"`
	From           string    `json:"from"`
	URL            string    `json:"url"`
	Status         string    `json:"status"`
	StatusCallback string    `json:"status_callback,omitempty"`
	DateCreated    time.Time `json:"date_created"`
	// Answered is what Twilio did with the call's TwiML when the call was answered (Answer).
	Answered *Answered `json:"answered,omitempty"`
}

// Faults are the failures the fake injects into Messages.json and Calls.json requests.
type Faults struct {
	// ServerErrorShare is the share of requests (0 to 1) answered 500 (Twilio code 20500).
	ServerErrorShare float64 `json:"server_error_share"`
	// RateLimitShare is the share of requests (0 to 1) answered 429 (Twilio code 20429).
	RateLimitShare float64 `json:"rate_limit_share"`
	// Codes answers requests to a number (E.164) with a Twilio error code, e.g. 21211
	// (invalid number) or 21610 (unsubscribed), with status 400.
	Codes map[string]int `json:"codes,omitempty"`
}

// Server is the fake Twilio. It is an http.Handler, safe for concurrent use.
type Server struct {
	sid, token string
	client     *http.Client
	now        func() time.Time
	mux        *http.ServeMux

	numbers  map[string]bool // nil: any phone number
	services map[string]bool // nil: any well-formed SID

	mu       sync.Mutex
	messages ring[Message]
	calls    ring[Call]
	alerts   ring[Alert]
	faults   Faults
}

// New returns a fake Twilio for the account in o.
func New(o Options) *Server {
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{
		sid: o.AccountSID, token: o.AuthToken, client: o.Client, now: o.Now,
		messages: ring[Message]{max: o.Keep}, calls: ring[Call]{max: o.Keep}, alerts: ring[Alert]{max: o.Keep},
		numbers: set(o.Numbers), services: set(o.Services),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.auth(s.createMessage))
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Calls.json", s.auth(s.createCall))
	mux.HandleFunc("GET /_fake/messages", s.listMessages)
	mux.HandleFunc("GET /_fake/calls", s.listCalls)
	mux.HandleFunc("GET /_fake/faults", s.getFaults)
	mux.HandleFunc("POST /_fake/faults", s.postFaults)
	mux.HandleFunc("DELETE /_fake/faults", s.deleteFaults)
	mux.HandleFunc("POST /_fake/status", s.postStatus)
	mux.HandleFunc("POST /_fake/answer", s.postAnswer)
	mux.HandleFunc("GET /_fake/alerts", s.listAlerts)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// ListenAndServe serves on addr until ctx is done, then shuts down gracefully.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("fake twilio listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done, then shuts down gracefully. Handy when the caller
// picked the port (":0") and needs ln.Addr() first.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("fake twilio serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		return fmt.Errorf("fake twilio shutdown: %w", err)
	}
	return nil
}

// SetFaults replaces the failures being injected.
func (s *Server) SetFaults(f Faults) {
	codes := make(map[string]int, len(f.Codes))
	for k, v := range f.Codes {
		codes[k] = v
	}
	f.Codes = codes
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Faults returns the failures being injected.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.Codes = make(map[string]int, len(s.faults.Codes))
	for k, v := range s.faults.Codes {
		f.Codes[k] = v
	}
	return f
}

// Messages returns the messages accepted, oldest first; only those to to when to is not "".
func (s *Server) Messages(to string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return filter(s.messages.all(), func(m Message) bool { return to == "" || m.To == to })
}

// Calls returns the calls accepted, oldest first; only those to to when to is not "".
func (s *Server) Calls(to string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return filter(s.calls.all(), func(c Call) bool { return to == "" || c.To == to })
}

// auth checks Basic auth against the account, and that the path names that account.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(s.sid)) != 1 ||
			subtle.ConstantTimeCompare([]byte(pass), []byte(s.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
			writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
			return
		}
		if r.PathValue("sid") != s.sid {
			writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, http.StatusRequestEntityTooLarge, 20413, "Request entity too large")
				return
			}
			writeError(w, http.StatusBadRequest, 20001, "Could not parse the request body")
			return
		}
		next(w, r)
	}
}

// fault decides whether a request to to fails, and how.
func (s *Server) fault(to string) (status, code int, msg string) {
	f := s.Faults()
	if c, ok := f.Codes[to]; ok {
		return http.StatusBadRequest, c, codeMessage(c, to)
	}
	x := rand.Float64()
	switch {
	case x < f.ServerErrorShare:
		return http.StatusInternalServerError, 20500, "Internal Server Error"
	case x < f.ServerErrorShare+f.RateLimitShare:
		return http.StatusTooManyRequests, 20429, "Too Many Requests"
	}
	return 0, 0, ""
}

// validateTo applies Twilio's own checks of To.
func validateTo(w http.ResponseWriter, to string) bool {
	switch {
	case to == "":
		writeError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
	case !e164(to):
		writeError(w, http.StatusBadRequest, 21211, codeMessage(21211, to))
	default:
		return true
	}
	return false
}

// validateSender applies Twilio's checks of an SMS's sender: a From of the account or a
// messaging service of it.
func (s *Server) validateSender(w http.ResponseWriter, from, service string) bool {
	switch {
	case from == "" && service == "":
		writeError(w, http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
	case service != "" && !messagingServiceSID(service):
		writeError(w, http.StatusBadRequest, 21705, "The Messaging Service Sid "+service+" is invalid.")
	case service != "" && s.services != nil && !s.services[service]:
		writeError(w, http.StatusBadRequest, 21701, "The Messaging Service does not exist")
	case from != "" && s.numbers != nil && !s.numbers[from]:
		writeError(w, http.StatusBadRequest, 21606, "The From phone number "+from+" is not a valid, SMS-capable inbound phone number or short code for your account.")
	default:
		return true
	}
	return false
}

// validateCaller applies Twilio's check of a call's From: a phone number the account owns
// or verified.
func (s *Server) validateCaller(w http.ResponseWriter, from string) bool {
	switch {
	case from == "":
		writeError(w, http.StatusBadRequest, 21213, "Caller phone number is required")
	case !e164(from) || (s.numbers != nil && !s.numbers[from]):
		writeError(w, http.StatusBadRequest, 21210, "The source phone number provided, "+from+", is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.")
	default:
		return true
	}
	return false
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	to, from, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
	service := r.PostForm.Get("MessagingServiceSid")
	if !validateTo(w, to) || !s.validateSender(w, from, service) {
		return
	}
	if body == "" {
		writeError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}
	if status, code, msg := s.fault(to); status != 0 {
		writeError(w, status, code, msg)
		return
	}
	m := Message{
		Sid: newSid("SM"), AccountSid: s.sid, To: to, From: from, MessagingServiceSid: service, Body: body, Status: "queued",
		StatusCallback: r.PostForm.Get("StatusCallback"), DateCreated: s.now().UTC(),
	}
	if service != "" {
		m.Status = "accepted" // a messaging service accepts it first, then queues it on a number
	}
	s.mu.Lock()
	s.messages.push(m)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, messageResource(m))
}

func (s *Server) createCall(w http.ResponseWriter, r *http.Request) {
	to, from, answer := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Url")
	if !validateTo(w, to) || !s.validateCaller(w, from) {
		return
	}
	if answer == "" && r.PostForm.Get("Twiml") == "" && r.PostForm.Get("ApplicationSid") == "" {
		writeError(w, http.StatusBadRequest, 21205, "Url parameter is required.")
		return
	}
	if status, code, msg := s.fault(to); status != 0 {
		writeError(w, status, code, msg)
		return
	}
	c := Call{
		Sid: newSid("CA"), AccountSid: s.sid, To: to, From: from, URL: answer, Status: "queued",
		StatusCallback: r.PostForm.Get("StatusCallback"), DateCreated: s.now().UTC(),
	}
	s.mu.Lock()
	s.calls.push(c)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, callResource(c))
}

// messageResource is a message as Twilio's API answers it.
func messageResource(m Message) map[string]any {
	date := m.DateCreated.Format(dateLayout)
	return map[string]any{
		"account_sid": m.AccountSid, "api_version": apiVersion, "body": m.Body,
		"date_created": date, "date_updated": date, "date_sent": nil, "direction": "outbound-api",
		"error_code": nil, "error_message": nil, "from": nullable(m.From), "messaging_service_sid": nullable(m.MessagingServiceSid),
		"num_media": "0", "num_segments": "1", "price": nil, "price_unit": "USD", "sid": m.Sid,
		"status": m.Status, "to": m.To,
		"uri":              "/" + apiVersion + "/Accounts/" + m.AccountSid + "/Messages/" + m.Sid + ".json",
		"subresource_uris": map[string]string{"media": "/" + apiVersion + "/Accounts/" + m.AccountSid + "/Messages/" + m.Sid + "/Media.json"},
	}
}

// callResource is a call as Twilio's API answers it.
func callResource(c Call) map[string]any {
	date := c.DateCreated.Format(dateLayout)
	return map[string]any{
		"account_sid": c.AccountSid, "api_version": apiVersion, "answered_by": nil,
		"caller_name": nil, "date_created": date, "date_updated": date, "direction": "outbound-api",
		"duration": nil, "end_time": nil, "forwarded_from": nil, "from": c.From, "from_formatted": c.From,
		"group_sid": nil, "parent_call_sid": nil, "phone_number_sid": nil, "price": nil, "price_unit": "USD",
		"sid": c.Sid, "start_time": nil, "status": c.Status, "to": c.To, "to_formatted": c.To,
		"uri": "/" + apiVersion + "/Accounts/" + c.AccountSid + "/Calls/" + c.Sid + ".json",
	}
}

// codeMessage is Twilio's wording for the error codes a test is likely to inject.
func codeMessage(code int, to string) string {
	switch code {
	case 21211:
		return fmt.Sprintf("Invalid 'To' Phone Number: %s", to)
	case 21610:
		return "Attempt to send to unsubscribed recipient"
	case 21614:
		return fmt.Sprintf("'To' number %s is not a valid mobile number", to)
	case 21408:
		return "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"
	}
	return fmt.Sprintf("Error %d", code)
}

// writeError answers as Twilio does: {"code":…,"message":…,"more_info":…,"status":…}.
func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{
		"code": code, "message": msg, "status": status,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"messages": nonNil(s.Messages(queryPhone(r)))})
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"calls": nonNil(s.Calls(queryPhone(r)))})
}

func (s *Server) getFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Faults())
}

func (s *Server) postFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
		return
	}
	if f.ServerErrorShare < 0 || f.RateLimitShare < 0 || f.ServerErrorShare+f.RateLimitShare > 1 {
		http.Error(w, "faults: shares must be between 0 and 1 and add up to at most 1", http.StatusBadRequest)
		return
	}
	s.SetFaults(f)
	writeJSON(w, http.StatusOK, s.Faults())
}

func (s *Server) deleteFaults(w http.ResponseWriter, _ *http.Request) {
	s.SetFaults(Faults{})
	w.WriteHeader(http.StatusNoContent)
}

// queryPhone reads ?to=; a literal '+' arrives as a space when not escaped, so it is put back.
func queryPhone(r *http.Request) string {
	to := r.URL.Query().Get("to")
	if strings.HasPrefix(to, " ") {
		to = "+" + strings.TrimSpace(to)
	}
	return to
}

// messagingServiceSID reports whether s is shaped like a messaging service SID: MG and 32
// hex digits.
func messagingServiceSID(s string) bool {
	if len(s) != 34 || !strings.HasPrefix(s, "MG") {
		return false
	}
	_, err := hex.DecodeString(s[2:])
	return err == nil
}

// nullable is s, or JSON null when s is empty, as Twilio writes absent fields.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// set is the values of list as a set; nil for none.
func set(list []string) map[string]bool {
	if len(list) == 0 {
		return nil
	}
	m := make(map[string]bool, len(list))
	for _, v := range list {
		m[v] = true
	}
	return m
}

// e164 reports whether s looks like an E.164 number: '+' and 8 to 15 digits.
func e164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' {
		return false
	}
	return strings.Trim(s[1:], "0123456789") == ""
}

// newSid returns a Twilio-like sid: a two-letter prefix and 32 hex digits.
func newSid(prefix string) string {
	var b [16]byte
	_, _ = cryptorand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func filter[T any](all []T, keep func(T) bool) []T {
	out := all[:0:0]
	for _, v := range all {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ring keeps the newest max values.
type ring[T any] struct {
	buf   []T
	start int
	max   int
}

func (r *ring[T]) push(v T) {
	if len(r.buf) < r.max {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % r.max
}

// all returns the values oldest first, in a new slice.
func (r *ring[T]) all() []T {
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.start:]...)
	return append(out, r.buf[:r.start]...)
}

// update changes the value for which match is true, newest first; it reports whether one was.
func (r *ring[T]) update(match func(*T) bool) bool {
	for i := len(r.buf) - 1; i >= 0; i-- {
		j := (r.start + i) % len(r.buf)
		if match(&r.buf[j]) {
			return true
		}
	}
	return false
}
