package androidgw

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Defaults for the zero values of Options.
const (
	DefaultUsername = "gateway"
	DefaultInterval = 5 * time.Second
	DefaultTimeout  = 10 * time.Second
)

// What one poll carries at most, as the app's WebappPoller has it (MAX_WT_MESSAGES,
// MAX_WOM_STATUS_UPDATES). A poll that carried either many polls again at once.
const (
	MaxMessages = 10
	MaxUpdates  = 20
)

// Options configure a simulated gateway. URL and Password are required.
type Options struct {
	// URL is the service's cht-gateway endpoint, e.g. http://localhost:8080/android/sms.
	URL      string
	Username string // default DefaultUsername
	Password string
	// Interval is the time between polls in Run. Default DefaultInterval.
	Interval time.Duration
	// Client makes the requests. Default: a client with a DefaultTimeout time-out.
	Client *http.Client
	// Now stamps received and sent SMS. Default time.Now: the simulator is a real-time device.
	Now func() time.Time
	// Fail, when set, decides which outbound SMS fail to send: it returns the reason the app
	// reports with FAILED, or "" to send normally.
	Fail func(to string) string
	// Log gets one line per poll, without message bodies.
	Log zerolog.Logger
}

// Sent is an outbound SMS the simulated phone sent.
type Sent struct {
	ID      string    `json:"id"`
	To      string    `json:"to"`
	Content string    `json:"content"`
	At      time.Time `json:"at"`
	// Status is the last status the phone reported to the service: UNSENT, PENDING, SENT,
	// DELIVERED or FAILED. It is empty until the first report was accepted.
	Status string `json:"status"`
}

// Gateway is one simulated phone. Its methods are safe for concurrent use.
type Gateway struct {
	opts Options

	pollMu  sync.Mutex // one poll at a time, so each accepts exactly what it carried
	mu      sync.Mutex
	inbox   []message      // received from people, not yet accepted by the service
	updates []update       // status reports not yet accepted
	sent    []Sent         // everything sent, in order
	index   map[string]int // outbound id → position in sent
}

// The wire format, as the app writes it.
type (
	message struct {
		ID          string `json:"id"`
		From        string `json:"from"`
		Content     string `json:"content"`
		SMSSent     int64  `json:"sms_sent"`
		SMSReceived int64  `json:"sms_received"`
	}
	update struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
	}
	pollRequest struct {
		Messages []message `json:"messages"`
		Updates  []update  `json:"updates"`
	}
	pollResponse struct {
		Messages []struct {
			ID      string `json:"id"`
			To      string `json:"to"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	errorResponse struct {
		Error   bool   `json:"error"`
		Message string `json:"message"`
	}
)

// New checks o, fills in its defaults and returns a gateway with nothing queued.
func New(o Options) (*Gateway, error) {
	if o.URL == "" || o.Password == "" {
		return nil, errors.New("android gateway simulator: URL and password are required")
	}
	if o.Username == "" {
		o.Username = DefaultUsername
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: DefaultTimeout}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Gateway{opts: o, index: map[string]int{}}, nil
}

// Receive queues an SMS that from sent to the phone, for delivery on the next poll, and
// returns the id the app gave it.
func (g *Gateway) Receive(from, content string) string {
	now := g.opts.Now().UnixMilli()
	m := message{ID: newID(), From: from, Content: content, SMSSent: now, SMSReceived: now}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inbox = append(g.inbox, m)
	return m.ID
}

// Sent returns the SMS the phone sent so far, oldest first.
func (g *Gateway) Sent() []Sent {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Sent(nil), g.sent...)
}

// Waiting returns how many inbound SMS and status reports the service has not accepted yet.
func (g *Gateway) Waiting() (messages, updates int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.inbox), len(g.updates)
}

// Check makes the app's settings check: a GET that must answer {"medic-gateway": true}.
func (g *Gateway) Check(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.opts.URL, nil)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	g.headers(req)
	var hello struct {
		MedicGateway bool `json:"medic-gateway"`
	}
	if err := g.do(req, &hello); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if !hello.MedicGateway {
		return errors.New(`check: the service did not answer {"medic-gateway": true}`)
	}
	return nil
}

// Poll makes one exchange, as the app's WebappPoller does: it POSTs, uncompressed, the
// oldest waiting SMS and status reports (at most MaxMessages and MaxUpdates), then "sends"
// the SMS in the answer. What the service did not accept (an error, a lost answer) is sent
// again on the next poll.
func (g *Gateway) Poll(ctx context.Context) error {
	_, err := g.poll(ctx)
	return err
}

// poll is Poll; more reports that it carried as many SMS or status reports as a poll may, so
// the app would poll again at once.
func (g *Gateway) poll(ctx context.Context) (more bool, err error) {
	g.pollMu.Lock()
	defer g.pollMu.Unlock()
	g.mu.Lock()
	body := pollRequest{
		Messages: append([]message{}, g.inbox[:min(len(g.inbox), MaxMessages)]...),
		Updates:  append([]update{}, g.updates[:min(len(g.updates), MaxUpdates)]...),
	}
	g.mu.Unlock()

	data, err := json.Marshal(body)
	if err != nil {
		return false, fmt.Errorf("poll: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.opts.URL, bytes.NewReader(data))
	if err != nil {
		return false, fmt.Errorf("poll: %w", err)
	}
	g.headers(req)
	req.Header.Set("Content-Type", "application/json")
	var resp pollResponse
	if err := g.do(req, &resp); err != nil {
		return false, fmt.Errorf("poll: %w", err)
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	// Only appends happen meanwhile, so what was sent is still at the front.
	g.inbox = g.inbox[len(body.Messages):]
	g.updates = g.updates[len(body.Updates):]
	for _, u := range body.Updates {
		i, ok := g.index[u.ID]
		if !ok {
			continue
		}
		g.sent[i].Status = u.Status
		if u.Status == "SENT" {
			// The network's delivery report comes in; it goes out on the next poll.
			g.updates = append(g.updates, update{ID: u.ID, Status: "DELIVERED"})
		}
	}
	fresh := 0
	for _, m := range resp.Messages {
		if _, seen := g.index[m.ID]; seen || m.ID == "" {
			continue // the app never sends an id twice
		}
		fresh++
		g.index[m.ID] = len(g.sent)
		g.sent = append(g.sent, Sent{ID: m.ID, To: m.To, Content: m.Content, At: g.opts.Now()})
		// Stored UNSENT, handed to the radio (PENDING), then the radio's sending report.
		g.updates = append(g.updates, update{ID: m.ID, Status: "UNSENT"}, update{ID: m.ID, Status: "PENDING"})
		if g.opts.Fail != nil {
			if reason := g.opts.Fail(m.To); reason != "" {
				g.updates = append(g.updates, update{ID: m.ID, Status: "FAILED", Reason: reason})
				continue
			}
		}
		g.updates = append(g.updates, update{ID: m.ID, Status: "SENT"})
	}
	g.opts.Log.Debug().Int("delivered", len(body.Messages)).Int("reported", len(body.Updates)).
		Int("received", len(resp.Messages)).Int("sent", fresh).Msg("android gateway simulator poll")
	return len(body.Messages) == MaxMessages || len(body.Updates) == MaxUpdates, nil
}

// Run checks the service, then polls every Interval until ctx ends, and again at once after a
// full poll, as the app does. A failed poll is logged and its content tried again on the next
// one; Run returns nil when ctx ends.
func (g *Gateway) Run(ctx context.Context) error {
	if err := g.Check(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	t := time.NewTicker(g.opts.Interval)
	defer t.Stop()
	for {
		more, err := g.poll(ctx)
		if err != nil && ctx.Err() == nil {
			g.opts.Log.Warn().Err(err).Msg("android gateway simulator: poll failed; retrying")
		}
		if more && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// headers sets what the app sends on every request. The app's settings hold a URL with the
// credentials in it (https://gateway:password@host/android/sms); uriEncodeAuth percent-
// encodes the password part with Android's Uri.encode and the Basic header carries it so.
func (g *Gateway) headers(req *http.Request) {
	req.SetBasicAuth(g.opts.Username, URIEncode(g.opts.Password))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Charset", "utf-8")
	req.Header.Set("Cache-Control", "no-cache")
}

// do sends req and decodes a 2xx JSON answer into v; anything else is an error carrying the
// service's message.
func (g *Gateway) do(req *http.Request, v any) error {
	res, err := g.opts.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var e errorResponse
		if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") && json.Unmarshal(body, &e) == nil && e.Error {
			return &StatusError{Status: res.StatusCode, Message: e.Message}
		}
		return &StatusError{Status: res.StatusCode}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// StatusError is an answer outside 2xx, with the message of the protocol's error shape.
type StatusError struct {
	Status  int
	Message string
}

// Error implements the error interface.
func (e *StatusError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("status %d", e.Status)
	}
	return fmt.Sprintf("status %d: %s", e.Status, e.Message)
}

// URIEncode percent-encodes s as Android's Uri.encode does: letters, digits and _-!.~'()*
// stay, every other byte of its UTF-8 becomes %XX in upper-case hex.
func URIEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_-!.~'()*", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// newID returns a random UUID (version 4), as the app gives each message.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
