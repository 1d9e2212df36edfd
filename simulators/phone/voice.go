package phone

import (
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/caseline/caseline/gateway/twilio/tts"
)

// maxRedirects bounds how many <Redirect>s the simulator follows in a row without input, so
// a service that redirects to itself cannot hold it forever.
const maxRedirects = 10

// Gather is a <Gather> the call is waiting on.
type Gather struct {
	// Action is the absolute URL the digits go to.
	Action string
	// Method is POST (the default) or GET.
	Method string
	// NumDigits is how many digits end the input (0 when not set).
	NumDigits int
	// Timeout is how many seconds Twilio waits for the first digit (5 when not set).
	Timeout int
	// Input is the input attribute ("dtmf", "speech dtmf"; empty when not set).
	Input string
}

// VoiceTurn is what the caller hears and what happens next after one request of a call.
type VoiceTurn struct {
	// Says are the texts of <Say> verbs, in order, inside and outside <Gather>.
	Says []string
	// Plays are the URLs of <Play> verbs, in order.
	Plays []string
	// Gather is set when the call waits for digits: Press sends them, Wait lets it time out.
	Gather *Gather
	// Dial is the number of a <Dial>: the caller is being connected to a person. With an
	// action on the <Dial>, the call waits for DialEnds to say how that call ended.
	Dial string
	// Hangup is set for an explicit <Hangup/>.
	Hangup bool
	// End is set when the call is over: a <Hangup/>, a <Dial> without an action, a
	// <Reject/> or a document that ran out of verbs.
	End bool
}

type callState struct {
	sid     string
	gather  *Gather
	pending []twimlNode // verbs after the <Gather>: what runs when it times out
	docURL  *url.URL    // the URL of the current document, for relative URLs in it
	dial    *dialState  // a <Dial> with an action, ringing
}

// dialState is a <Dial> whose action waits to hear how the dialled call ended.
type dialState struct {
	action *url.URL
	method string
}

// DialStatuses are how a dialled call can end, as Twilio posts them (DialCallStatus) to the
// <Dial>'s action.
var DialStatuses = []string{"completed", "answered", "busy", "no-answer", "failed", "canceled"}

// twimlNode is any TwiML element with its attributes, text and children.
type twimlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr  `xml:",any,attr"`
	Text     string      `xml:",chardata"`
	Children []twimlNode `xml:",any"`
}

func (n twimlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// InCall reports whether a call is in progress.
func (p *Phone) InCall() bool { return p.call != nil }

// Call places a call to the service (the first POST to /twilio/voice of a new CallSid) and
// returns what the caller hears.
func (p *Phone) Call(ctx context.Context) (VoiceTurn, error) {
	u, err := p.endpoint(VoicePath)
	if err != nil {
		return VoiceTurn{}, fmt.Errorf("call: %w", err)
	}
	p.call = &callState{sid: NewSID("CA")}
	form := p.callParams("ringing")
	turn, err := p.fetch(ctx, http.MethodPost, u, form, 0)
	if err != nil {
		p.call = nil
		return VoiceTurn{}, fmt.Errorf("call: %w", err)
	}
	return turn, nil
}

// Press sends digits to the <Gather> the call waits on, as Twilio posts them to its action.
func (p *Phone) Press(ctx context.Context, digits string) (VoiceTurn, error) {
	if p.call == nil || p.call.gather == nil {
		return VoiceTurn{}, fmt.Errorf("press %q: %w", digits, ErrNoSession)
	}
	g := p.call.gather
	u, err := url.Parse(g.Action)
	if err != nil {
		return VoiceTurn{}, fmt.Errorf("press: gather action: %w", err)
	}
	form := p.callParams("in-progress")
	form.Set("Digits", digits)
	form.Set("FinishedOnKey", "")
	turn, err := p.fetch(ctx, g.Method, u, form, 0)
	if err != nil {
		p.call = nil
		return VoiceTurn{}, fmt.Errorf("press: %w", err)
	}
	return turn, nil
}

// Wait lets the <Gather> time out without input: the verbs after it run, which is usually
// a <Redirect> back to the service.
func (p *Phone) Wait(ctx context.Context) (VoiceTurn, error) {
	if p.call == nil || p.call.gather == nil {
		return VoiceTurn{}, fmt.Errorf("wait: %w", ErrNoSession)
	}
	var turn VoiceTurn
	pending := p.call.pending
	p.call.gather, p.call.pending = nil, nil
	if err := p.run(ctx, pending, &turn, 0); err != nil {
		p.call = nil
		return VoiceTurn{}, fmt.Errorf("wait: %w", err)
	}
	return turn, nil
}

// DialEnds tells the service how the call a <Dial> placed ended (one of DialStatuses), as
// Twilio does: a request to the <Dial>'s action with DialCallStatus. A call answered and
// talked through is "completed"; "no-answer", "busy" and "failed" are a person not reached;
// "canceled" is the caller hanging up while it rang.
func (p *Phone) DialEnds(ctx context.Context, status string) (VoiceTurn, error) {
	if p.call == nil || p.call.dial == nil {
		return VoiceTurn{}, fmt.Errorf("dial ends %q: %w", status, ErrNoSession)
	}
	known := false
	for _, s := range DialStatuses {
		known = known || s == status
	}
	if !known {
		return VoiceTurn{}, fmt.Errorf("dial ends %q: not one of %s", status, strings.Join(DialStatuses, ", "))
	}
	d := p.call.dial
	p.call.dial = nil
	form := p.callParams("in-progress")
	form.Set("DialCallStatus", status)
	form.Set("DialCallSid", NewSID("CA"))
	duration := "0"
	if status == "completed" || status == "answered" {
		duration = "60"
	}
	form.Set("DialCallDuration", duration)
	turn, err := p.fetch(ctx, d.method, d.action, form, 0)
	if err != nil {
		p.call = nil
		return VoiceTurn{}, fmt.Errorf("dial ends: %w", err)
	}
	return turn, nil
}

// Dialing reports whether the call waits on a <Dial>'s outcome (see DialEnds).
func (p *Phone) Dialing() bool { return p.call != nil && p.call.dial != nil }

// Hangup ends the call on the phone's side. Twilio's status callback is not simulated.
func (p *Phone) Hangup() { p.call = nil }

func (p *Phone) callParams(status string) url.Values {
	from := p.number.E164()
	return url.Values{
		"CallSid":    {p.call.sid},
		"AccountSid": {p.opts.AccountSID},
		"From":       {from},
		"Caller":     {from},
		"To":         {p.opts.To},
		"Called":     {p.opts.To},
		"CallStatus": {status},
		"Direction":  {"inbound"},
		"ApiVersion": {"2010-04-01"},
	}
}

// fetch requests a TwiML document as Twilio does (POST with a signed form, or GET with the
// parameters in the query) and runs its verbs into a new turn.
func (p *Phone) fetch(ctx context.Context, method string, u *url.URL, form url.Values, depth int) (VoiceTurn, error) {
	var turn VoiceTurn
	if err := p.fetchInto(ctx, method, u, form, &turn, depth); err != nil {
		return VoiceTurn{}, err
	}
	return turn, nil
}

func (p *Phone) fetchInto(ctx context.Context, method string, u *url.URL, form url.Values, turn *VoiceTurn, depth int) error {
	if depth > maxRedirects {
		return fmt.Errorf("more than %d redirects without input", maxRedirects)
	}
	var (
		raw []byte
		err error
	)
	if strings.EqualFold(method, http.MethodGet) {
		q := u.Query()
		for k, vs := range form {
			q[k] = vs
		}
		withQuery := *u
		withQuery.RawQuery = q.Encode()
		u = &withQuery
		raw, err = p.get(ctx, u)
	} else {
		raw, err = p.post(ctx, u, form, true)
	}
	if err != nil {
		return err
	}
	var doc twimlNode
	if err := xml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("parse twiml: %w", err)
	}
	if doc.XMLName.Local != "Response" {
		return fmt.Errorf("parse twiml: root is <%s>, not <Response>", doc.XMLName.Local)
	}
	p.call.docURL = u
	return p.run(ctx, doc.Children, turn, depth)
}

// errStop ends the run of a document's verbs without an error.
var errStop = errors.New("stop")

// run executes verbs as Twilio would, appending what is heard to turn, until the call waits
// for input, is redirected, or ends.
func (p *Phone) run(ctx context.Context, verbs []twimlNode, turn *VoiceTurn, depth int) error {
	for i, v := range verbs {
		err := p.verb(ctx, v, verbs[i+1:], turn, depth)
		if errors.Is(err, errStop) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	// Out of verbs: Twilio hangs up.
	turn.End = true
	p.call = nil
	return nil
}

func (p *Phone) verb(ctx context.Context, v twimlNode, rest []twimlNode, turn *VoiceTurn, depth int) error {
	switch v.XMLName.Local {
	case "Say":
		if err := say(v, turn); err != nil {
			return err
		}
	case "Play":
		turn.Plays = append(turn.Plays, strings.TrimSpace(v.Text))
	case "Gather":
		for _, c := range v.Children {
			switch c.XMLName.Local {
			case "Say":
				if err := say(c, turn); err != nil {
					return err
				}
			case "Play":
				turn.Plays = append(turn.Plays, strings.TrimSpace(c.Text))
			}
		}
		g, err := p.gather(v)
		if err != nil {
			return err
		}
		turn.Gather = g
		p.call.gather, p.call.pending = g, rest
		return errStop
	case "Redirect":
		target, err := p.call.docURL.Parse(strings.TrimSpace(v.Text))
		if err != nil {
			return fmt.Errorf("redirect %q: %w", v.Text, err)
		}
		method := v.attr("method")
		if method == "" {
			method = http.MethodPost
		}
		if err := p.fetchInto(ctx, method, target, p.callParams("in-progress"), turn, depth+1); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		return errStop
	case "Dial":
		turn.Dial = strings.TrimSpace(v.Text)
		for _, c := range v.Children {
			if c.XMLName.Local == "Number" || c.XMLName.Local == "Client" || c.XMLName.Local == "Sip" {
				turn.Dial = strings.TrimSpace(c.Text)
			}
		}
		if a := v.attr("action"); a != "" {
			action, err := p.call.docURL.Parse(a)
			if err != nil {
				return fmt.Errorf("dial action %q: %w", a, err)
			}
			method := strings.ToUpper(v.attr("method"))
			if method == "" {
				method = http.MethodPost
			}
			p.call.dial = &dialState{action: action, method: method}
			return errStop
		}
		turn.End = true
		p.call = nil
		return errStop
	case "Hangup", "Reject":
		turn.Hangup = true
		turn.End = true
		p.call = nil
		return errStop
	}
	// <Pause> and verbs a phone cannot tell apart from silence are skipped.
	return nil
}

// say hears a <Say>, or fails the call on one Twilio would not speak: a voice that does not
// speak the <Say>'s language (Twilio's default voice, "man", speaks no Vietnamese). Twilio
// would say nothing and log warning 13511; a test should hear of it.
func say(v twimlNode, turn *VoiceTurn) error {
	voice, lang := cmp.Or(v.attr("voice"), tts.DefaultVoice), cmp.Or(v.attr("language"), tts.DefaultLanguage)
	if !tts.Speaks(voice, lang) {
		return fmt.Errorf("<Say voice=%q language=%q>: Twilio has no such voice for that language and would say nothing", voice, lang)
	}
	turn.Says = append(turn.Says, strings.TrimSpace(v.Text))
	return nil
}

func (p *Phone) gather(v twimlNode) (*Gather, error) {
	g := &Gather{Method: http.MethodPost, Timeout: 5, Input: v.attr("input")}
	if m := v.attr("method"); m != "" {
		g.Method = strings.ToUpper(m)
	}
	action := p.call.docURL
	if a := v.attr("action"); a != "" {
		u, err := p.call.docURL.Parse(a)
		if err != nil {
			return nil, fmt.Errorf("gather action %q: %w", a, err)
		}
		action = u
	}
	g.Action = action.String()
	for _, f := range []struct {
		name string
		dst  *int
	}{{"numDigits", &g.NumDigits}, {"timeout", &g.Timeout}} {
		s := v.attr(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("gather %s=%q: %w", f.name, s, err)
		}
		*f.dst = n
	}
	return g, nil
}
