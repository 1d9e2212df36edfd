package twilio

import (
	"context"
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
	from           string
	smsCallback    string
	statusCallback string
}

var _ care.Sender = (*Sender)(nil)

// NewSender returns a Sender for the account. from is our Twilio number. apiURL, when not
// empty, points the client at another server (the fake Twilio): twilio-go has no base-URL
// option, so a transport rewrites the scheme and host of every request. statusCallbackBase
// (PUBLIC_BASE_URL) is where Twilio posts delivery receipts. twilio-go takes no context, so
// timeout bounds every request; keep it below the worker's task timeout.
func NewSender(accountSID, authToken, from, apiURL, statusCallbackBase string, timeout time.Duration) (*Sender, error) {
	if !alphanumeric(accountSID) || !alphanumeric(authToken) {
		return nil, errors.New("twilio sender: account sid and auth token must be non-empty and alphanumeric")
	}
	if from == "" {
		return nil, errors.New("twilio sender: no from number")
	}
	if timeout <= 0 {
		return nil, errors.New("twilio sender: timeout must be positive")
	}
	var transport http.RoundTripper = http.DefaultTransport
	if apiURL != "" {
		u, err := url.Parse(apiURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("twilio sender: api URL %q is not an absolute http(s) URL", apiURL)
		}
		transport = rewriteHost{scheme: u.Scheme, host: u.Host, next: http.DefaultTransport}
	}
	c := &client.Client{
		Credentials: client.NewCredentials(accountSID, authToken),
		HTTPClient: &http.Client{
			Transport: transport,
			Timeout:   timeout,
			// Like twilio-go's default client: a redirect is an answer, not something to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(accountSID)
	base := strings.TrimRight(statusCallbackBase, "/")
	s := &Sender{rc: twilio.NewRestClientWithParams(twilio.ClientParams{Client: c}), from: from}
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
	p := (&api.CreateMessageParams{}).SetTo(to.E164()).SetFrom(s.from).SetBody(body)
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
	p := (&api.CreateCallParams{}).SetTo(to.E164()).SetFrom(s.from).SetUrl(answerURL).SetMethod(http.MethodPost)
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
