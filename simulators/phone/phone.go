package phone

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
)

// The service's webhook paths, as providers are configured to call them.
const (
	SMSPath   = "/twilio/sms"
	VoicePath = "/twilio/voice"
	USSDPath  = "/ussd/africastalking"
)

// Defaults used when Options leaves a field empty.
const (
	DefaultAccountSID  = "AC00000000000000000000000000000000"
	DefaultTo          = "+84280000000"
	DefaultNetworkCode = "45204" // Viettel
	DefaultTimeout     = 20 * time.Second
)

// maxBody bounds how much of a reply the simulator reads.
const maxBody = 1 << 20

// Options configures a simulated phone and the service it talks to.
type Options struct {
	// BaseURL is where the service listens, such as "http://127.0.0.1:8080". Requests go here.
	BaseURL string
	// PublicBaseURL, when set, is the gateway's PUBLIC_BASE_URL: the phone acts as if a proxy
	// at that origin forwarded to BaseURL. Signatures are computed for the public URL, as
	// Twilio signs the URL it was configured with, and TwiML URLs on the public origin (the
	// gateway's absolute <Gather> actions) are delivered to BaseURL. Empty signs the URL
	// actually requested. Both are origins (scheme, host, port) without a path.
	PublicBaseURL string
	// AuthToken is the Twilio auth token requests are signed with.
	AuthToken string
	// AccountSID is sent as AccountSid; DefaultAccountSID when empty.
	AccountSID string
	// Number is the phone's own number (From, phoneNumber); any form care.ParsePhone accepts.
	Number string
	// To is the service's Twilio number; DefaultTo when empty.
	To string
	// USSDToken is the shared token on the USSD callback URL.
	USSDToken string
	// NetworkCode is the USSD networkCode (MCC+MNC); DefaultNetworkCode when empty.
	NetworkCode string
	// HTTPClient makes the requests; when nil, a client with DefaultTimeout that does not
	// follow HTTP redirects (a 3xx is reported as a StatusError).
	HTTPClient *http.Client
}

// StatusError is a reply with an HTTP status other than 200 OK: a bad signature (403), a
// malformed request (400) or a failure of the service.
type StatusError struct {
	Code int
	Body string
}

// Error describes the status and the start of the body.
func (e *StatusError) Error() string {
	body := e.Body
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return fmt.Sprintf("http status %d: %s", e.Code, strings.TrimSpace(body))
}

// Phone is one simulated feature phone. It remembers its open USSD session and its current
// call, so it is used by one goroutine at a time.
type Phone struct {
	opts   Options
	number care.Phone
	base   *url.URL
	public *url.URL
	client *http.Client

	ussd *ussdSession
	call *callState
}

// New returns a phone for opts after checking them.
func New(opts Options) (*Phone, error) {
	number, err := care.ParsePhone(opts.Number)
	if err != nil {
		return nil, fmt.Errorf("new phone %q: %w", opts.Number, err)
	}
	base, err := parseBase(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new phone: base url: %w", err)
	}
	var public *url.URL
	if opts.PublicBaseURL != "" {
		if public, err = parseBase(opts.PublicBaseURL); err != nil {
			return nil, fmt.Errorf("new phone: public base url: %w", err)
		}
	}
	if opts.AccountSID == "" {
		opts.AccountSID = DefaultAccountSID
	}
	if opts.To == "" {
		opts.To = DefaultTo
	}
	if opts.NetworkCode == "" {
		opts.NetworkCode = DefaultNetworkCode
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{
			Timeout: DefaultTimeout,
			// An HTTP redirect is shown as the status it is, not followed to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &Phone{opts: opts, number: number, base: base, public: public, client: client}, nil
}

// Number is the phone's own number.
func (p *Phone) Number() care.Phone { return p.number }

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL with a host", s)
	}
	return u, nil
}

// endpoint is the URL of one of the service's paths (with its query) under the base URL.
func (p *Phone) endpoint(pathAndQuery string) (*url.URL, error) {
	u, err := url.Parse(p.base.String() + pathAndQuery)
	if err != nil {
		return nil, fmt.Errorf("endpoint %q: %w", pathAndQuery, err)
	}
	return u, nil
}

// route is where a request for u goes: a URL on the public origin is delivered to the base
// URL, as the proxy in front of the service would; any other URL goes where it says.
func (p *Phone) route(u *url.URL) *url.URL {
	if p.public == nil || u.Scheme != p.public.Scheme || u.Host != p.public.Host {
		return u
	}
	r := *u
	r.Scheme, r.Host = p.base.Scheme, p.base.Host
	return &r
}

// signingURL is the URL Twilio would have signed for a request to u.
func (p *Phone) signingURL(u *url.URL) string {
	if p.public == nil {
		return u.String()
	}
	return strings.TrimRight(p.public.String(), "/") + u.RequestURI()
}

// post sends form to u, signed when sign is set, and returns the body of a 200 reply.
func (p *Phone) post(ctx context.Context, u *url.URL, form url.Values, sign bool) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.route(u).String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", u.Path, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sign {
		req.Header.Set("X-Twilio-Signature", Sign(p.opts.AuthToken, p.signingURL(u), form))
		req.Header.Set("User-Agent", "TwilioProxy/1.1")
	}
	return p.do(req)
}

// get sends a signed GET to u (a TwiML <Redirect method="GET">); parameters are in its query.
func (p *Phone) get(ctx context.Context, u *url.URL) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.route(u).String(), nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u.Path, err)
	}
	req.Header.Set("X-Twilio-Signature", Sign(p.opts.AuthToken, p.signingURL(u), nil))
	return p.do(req)
}

func (p *Phone) do(req *http.Request) ([]byte, error) {
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read reply: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, &StatusError{Code: resp.StatusCode, Body: string(body)})
	}
	return body, nil
}

// NewSID returns a Twilio-style identifier: prefix ("SM", "CA") and 32 random hex digits.
func NewSID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b[:])
}
