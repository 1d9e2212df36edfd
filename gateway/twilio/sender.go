package twilio

import (
	"cmp"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	twilio "github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/caseline/caseline/care"
)

// Sender sends SMS and places calls through Twilio's REST API with twilio-go. It
// implements care.Sender.
type Sender struct {
	rc             *twilio.RestClient
	from           string // From of SMS: a phone number; empty with a messaging service
	service        string // MessagingServiceSid of SMS, or empty
	callerID       string // From of calls, or empty: no calls
	smsCallback    string
	statusCallback string
}

var _ care.Sender = (*Sender)(nil)

// SenderConfig is what NewSender needs.
type SenderConfig struct {
	AccountSID, AuthToken string
	// From sends SMS: a phone number of the account (From), or a messaging service SID
	// ("MG…", sent as MessagingServiceSid, which picks the number).
	From string
	// CallerID is the phone number calls come from; empty means From, which must then be a
	// phone number: Twilio refuses a call from anything else (error 21210).
	CallerID string
	// APIURL, when not empty, points the client at another server (the fake Twilio):
	// twilio-go has no base-URL option, so a transport rewrites the scheme and host of every
	// request.
	APIURL string
	// StatusCallbackBase (PUBLIC_BASE_URL) is where Twilio posts delivery receipts.
	StatusCallbackBase string
	// Timeout bounds every request, since twilio-go takes no context; keep it below the
	// worker's task timeout.
	Timeout time.Duration
}

// NewSender returns a Sender for the account.
func NewSender(c SenderConfig) (*Sender, error) {
	if !alphanumeric(c.AccountSID) || !alphanumeric(c.AuthToken) {
		return nil, care.Wiring("twilio sender", "account sid and auth token must be non-empty and alphanumeric")
	}
	if c.From == "" {
		return nil, care.Wiring("twilio sender", "no from number")
	}
	s := &Sender{from: c.From, callerID: cmp.Or(c.CallerID, c.From)}
	if IsMessagingService(c.From) {
		s.from, s.service = "", c.From
		if c.CallerID == "" {
			return nil, care.Wiring("twilio sender", "a messaging service places no calls: a caller id is needed")
		}
	}
	if IsMessagingService(s.callerID) {
		return nil, care.Wiring("twilio sender", "the caller id must be a phone number")
	}
	if c.Timeout <= 0 {
		return nil, care.Wiring("twilio sender", "timeout must be positive")
	}
	transport := http.DefaultTransport
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, care.Wiring("twilio sender", fmt.Sprintf("api URL %q is not an absolute http(s) URL", c.APIURL))
		}
		transport = rewriteHost{scheme: u.Scheme, host: u.Host, next: http.DefaultTransport}
	}
	rc := &client.Client{
		Credentials: client.NewCredentials(c.AccountSID, c.AuthToken),
		HTTPClient: &http.Client{
			Transport: transport,
			Timeout:   c.Timeout,
			// Like twilio-go's default client: a redirect is an answer, not something to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	rc.SetAccountSid(c.AccountSID)
	base := strings.TrimRight(c.StatusCallbackBase, "/")
	s.rc = twilio.NewRestClientWithParams(twilio.ClientParams{Client: rc})
	if base != "" {
		s.smsCallback = base + "/twilio/sms/status"
		s.statusCallback = base + "/twilio/voice/status"
	}
	return s, nil
}

// SendSMS sends body to to and returns the message sid.
func (s *Sender) SendSMS(ctx context.Context, to care.Phone, body string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("twilio send sms: %w", err)
	}
	p := (&api.CreateMessageParams{}).SetTo(to.E164()).SetBody(body)
	if s.service != "" {
		p.SetMessagingServiceSid(s.service)
	} else {
		p.SetFrom(s.from)
	}
	if s.smsCallback != "" {
		p.SetStatusCallback(s.smsCallback)
	}
	msg, err := s.rc.Api.CreateMessage(p)
	if err != nil {
		return "", fmt.Errorf("twilio send sms to %s: %w", to, providerError(err))
	}
	if msg == nil || msg.Sid == nil || *msg.Sid == "" {
		return "", fmt.Errorf("twilio send sms to %s: %w", to,
			care.NewProviderError(care.ProviderTwilio, 0, "", "answer without a sid", true))
	}
	return *msg.Sid, nil
}

// Call places a call to to whose TwiML comes from answerURL, and returns the call sid.
func (s *Sender) Call(ctx context.Context, to care.Phone, answerURL string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("twilio call: %w", err)
	}
	p := (&api.CreateCallParams{}).SetTo(to.E164()).SetFrom(s.callerID).SetUrl(answerURL).SetMethod(http.MethodPost)
	if s.statusCallback != "" {
		p.SetStatusCallback(s.statusCallback).SetStatusCallbackMethod(http.MethodPost).
			SetStatusCallbackEvent([]string{"initiated", "ringing", "answered", "completed"})
	}
	call, err := s.rc.Api.CreateCall(p)
	if err != nil {
		return "", fmt.Errorf("twilio call %s: %w", to, providerError(err))
	}
	if call == nil || call.Sid == nil || *call.Sid == "" {
		return "", fmt.Errorf("twilio call %s: %w", to,
			care.NewProviderError(care.ProviderTwilio, 0, "", "answer without a sid", true))
	}
	return *call.Sid, nil
}

// providerError maps twilio-go's errors to a *care.ProviderError. Twilio's own refusals
// carry an HTTP status: 429 and 5xx are worth retrying, other 4xx (21211 invalid number,
// 21610 unsubscribed, …) are not. Anything else — a timeout, a refused connection, a 5xx
// page from a proxy that is not Twilio's JSON — never got Twilio's answer: retry.
func providerError(err error) *care.ProviderError {
	var te *client.TwilioRestError
	if errors.As(err, &te) {
		code := ""
		if te.Code != 0 {
			code = strconv.Itoa(te.Code)
		}
		retry := te.Status == http.StatusTooManyRequests || te.Status >= 500 || (te.Status == 0 && te.Code == 0)
		return care.NewProviderError(care.ProviderTwilio, te.Status, code, maskNumbers(te.Message), retry)
	}
	return care.NewProviderError(care.ProviderTwilio, 0, "", err.Error(), true)
}

// rewriteHost sends every request to another scheme and host, keeping path and query.
type rewriteHost struct {
	scheme, host string
	next         http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.scheme, t.host, ""
	return t.next.RoundTrip(r)
}

// maskNumbers hides runs of six or more digits: Twilio's messages quote the number they
// refused ("The 'To' number +84901234567 is not valid"), and these messages reach logs.
func maskNumbers(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j-i >= 6 {
			for k := i; k < j-3; k++ {
				b[k] = '*'
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	return string(b)
}

// IsMessagingService reports whether from is a messaging service SID ("MG" and 32 hex
// digits) rather than a phone number.
func IsMessagingService(from string) bool {
	if len(from) != 34 || !strings.HasPrefix(from, "MG") {
		return false
	}
	_, err := hex.DecodeString(from[2:])
	return err == nil
}

func alphanumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
