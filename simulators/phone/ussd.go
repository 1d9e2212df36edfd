package phone

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Screen is one USSD screen: CON (waiting for input) or END (the session is over).
type Screen struct {
	// Text is the screen without its CON/END prefix.
	Text string
	// End is set for an END screen.
	End bool
}

// ErrNoSession is returned when input is sent with no USSD session or call in progress.
var ErrNoSession = errors.New("no session in progress")

type ussdSession struct {
	id, code string
	inputs   []string
}

// USSDOpen reports whether a USSD session is waiting for input.
func (p *Phone) USSDOpen() bool { return p.ussd != nil }

// CancelUSSD leaves the open USSD session without telling the service, as a phone that
// loses signal does; the next dial starts a new session.
func (p *Phone) CancelUSSD() { p.ussd = nil }

// DialUSSD dials a service code such as "*123#", starting a new session (Africa's Talking
// sends an empty text on the first request), and returns the first screen.
func (p *Phone) DialUSSD(ctx context.Context, code string) (Screen, error) {
	p.ussd = &ussdSession{id: NewSID("ATUid_"), code: code}
	return p.ussdHop(ctx)
}

// ReplyUSSD sends input in the open session: the request's text is every input so far
// joined by "*", as Africa's Talking sends it.
func (p *Phone) ReplyUSSD(ctx context.Context, input string) (Screen, error) {
	if p.ussd == nil {
		return Screen{}, fmt.Errorf("ussd reply: %w", ErrNoSession)
	}
	p.ussd.inputs = append(p.ussd.inputs, input)
	return p.ussdHop(ctx)
}

func (p *Phone) ussdHop(ctx context.Context) (Screen, error) {
	s := p.ussd
	form := url.Values{
		"sessionId":   {s.id},
		"serviceCode": {s.code},
		"phoneNumber": {p.number.E164()},
		"networkCode": {p.opts.NetworkCode},
		"text":        {strings.Join(s.inputs, "*")},
	}
	u, err := p.endpoint(USSDPath + "?token=" + url.QueryEscape(p.opts.USSDToken))
	if err != nil {
		p.ussd = nil
		return Screen{}, fmt.Errorf("ussd: %w", err)
	}
	raw, err := p.post(ctx, u, form, false)
	if err != nil {
		p.ussd = nil // the aggregator drops the session when the service fails
		return Screen{}, fmt.Errorf("ussd: %w", err)
	}
	scr, err := ParseScreen(string(raw))
	if err != nil {
		p.ussd = nil
		return Screen{}, fmt.Errorf("ussd: %w", err)
	}
	if scr.End {
		p.ussd = nil
	}
	return scr, nil
}

// ParseScreen reads an Africa's Talking answer: "CON text" or "END text".
func ParseScreen(raw string) (Screen, error) {
	switch {
	case strings.HasPrefix(raw, "CON "):
		return Screen{Text: raw[4:]}, nil
	case strings.HasPrefix(raw, "END "):
		return Screen{Text: raw[4:], End: true}, nil
	case raw == "CON":
		return Screen{}, nil
	case raw == "END":
		return Screen{End: true}, nil
	}
	if len(raw) > 40 {
		raw = raw[:40] + "…"
	}
	return Screen{}, fmt.Errorf("answer %q starts with neither CON nor END", raw)
}
