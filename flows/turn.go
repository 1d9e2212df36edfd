package flows

// The turn: one Handle call, from locking the session to the commit.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Handle runs one turn: it locks the session, fires one event of its flow, writes the new
// state, the message log and the step's records, and commits. Bad input is a *care.Error;
// any other error is internal.
func (e *Engine) Handle(ctx context.Context, in Input) (Reply, error) {
	if err := checkInput(in); err != nil {
		return Reply{}, fmt.Errorf("handle turn: %w", err)
	}
	now := e.clock.Now()
	in.Text = strings.TrimSpace(care.CleanText(in.Text)) // what a phone sent is kept, as far as it can be stored
	if len(in.Text) > 1600 {
		in.Text = strings.ToValidUTF8(in.Text[:1600], "")
	}
	req := dialog.TurnRequest{Channel: in.Channel, Key: in.DialogKey(), Phone: in.Phone, Provider: in.Provider, Now: now}
	if in.ProviderID != "" {
		req.ReplyKey = "reply:" + string(in.Provider) + ":" + in.ProviderID
	}
	if in.New && in.Channel == care.ChannelUSSD {
		req.PreviousSince = now.Add(-e.resume)
	}
	kind, id := outboundKind(in.Outbound)
	switch kind {
	case outboundCheckIn:
		req.CheckIn = care.CheckInID(id)
	case outboundReminder:
		req.Reminder = care.ReminderID(id)
	}
	t, err := e.turns.BeginTurn(ctx, req)
	if err != nil {
		return Reply{}, fmt.Errorf("handle turn: %w", err)
	}
	defer t.Rollback(ctx)
	f := t.Facts()
	if f.Duplicate != nil {
		var r Reply
		if err := json.Unmarshal(f.Duplicate, &r); err != nil {
			return Reply{}, fmt.Errorf("handle turn: stored reply: %w", err)
		}
		if r.Text == "" && !r.Silent {
			r.Text = wireText(in.Channel, r) // stored before replies carried their text
		}
		r.Duplicate = true
		return r, nil
	}
	s := e.newStep(in, now, t, f)
	var (
		loop     loopHistory
		loopText uint32
	)
	if in.Channel == care.ChannelSMS {
		loop, loopText = parseLoop(f.Session.Vars[varLoop], now), loopHash(in.Text)
		s.repeats = loop.count(loopText)
	}
	if err := s.run(ctx); err != nil {
		return Reply{}, fmt.Errorf("handle turn %s/%s: %w", s.flow, s.state, err)
	}
	reply := s.reply()
	if in.Channel == care.ChannelSMS {
		// Set last: whatever the step did to its vars, the history always gains this text.
		s.vars[varLoop] = loop.with(loopText, now)
	}
	stored, err := json.Marshal(reply)
	if err != nil {
		return Reply{}, fmt.Errorf("handle turn: reply: %w", err)
	}
	o := dialog.Outcome{
		Channel: in.Channel, Provider: in.Provider, Phone: in.Phone,
		Flow: string(s.flow), State: s.state, Vars: s.vars, Language: s.lang, Version: reply.Step,
		ProviderID: in.ProviderID, Inbound: in.Text, Reply: stored, ReplyBody: reply.Text,
		ReplyKey: req.ReplyKey, Now: now, Writes: s.writes,
	}
	if f.Person != nil {
		o.PersonID = f.Person.ID
	}
	o.HelpPending = s.helpPending()
	if o.ReplyKey == "" {
		o.ReplyKey = fmt.Sprintf("reply:session:%d:%d", f.Session.ID, reply.Step)
	}
	switch {
	case reply.Silent:
		o.ReplyStatus = care.MsgSkipped
	case in.Provider == care.ProviderAndroid:
		o.ReplyStatus = care.MsgQueued // the Android gateway collects it at its next poll
	case in.Deferred:
		o.ReplyStatus = care.MsgQueued // the workers send it
	default:
		o.ReplyStatus = care.MsgSent // answered in the webhook's response
	}
	if err := t.Commit(ctx, o); err != nil {
		return Reply{}, fmt.Errorf("handle turn: %w", err)
	}
	return reply, nil
}

func checkInput(in Input) error {
	if !in.Channel.Valid() {
		return care.FieldError("channel", "unknown channel %q", in.Channel)
	}
	if !in.Provider.Valid() {
		return care.FieldError("provider", "unknown provider %q", in.Provider)
	}
	p := string(in.Phone)
	if len(p) < 8 || len(p) > 16 || p[0] != '+' || strings.Trim(p[1:], "0123456789") != "" {
		return care.FieldError("phone", "phone must be E.164")
	}
	if len(in.SessionKey) > 200 || len(in.ProviderID) > 200 {
		return care.FieldError("session", "session key or provider id too long")
	}
	if !care.TextOK(in.SessionKey) || !care.TextOK(in.ProviderID) {
		return care.FieldError("session", "session key or provider id is not text")
	}
	return nil
}

const (
	outboundCheckIn  = "checkin"
	outboundReminder = "reminder"
	outboundClosed   = "closed"
)

func outboundKind(s string) (string, int64) {
	kind, id, ok := strings.Cut(s, ":")
	if !ok {
		return "", 0
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return "", 0
	}
	return kind, n
}

// Session vars the engine keeps for itself (flows keep theirs without the underscore).
const (
	varLast    = "_last"    // the last full prompt (JSON): * repeats it, pagination pages it
	varPage    = "_page"    // the page of _last on screen (USSD, voice)
	varSlow    = "_slow"    // the caller asked for slower speech
	varNoInput = "_noinput" // voice time-outs in a row
	varKeys    = "_keys"    // this call heard the voice keys (repeat, a person, slower)
	varRFlow   = "_rflow"   // where a resumed or interrupted conversation goes back to
	varRState  = "_rstate"
)

// step is one turn in progress.
type step struct {
	e      *Engine
	in     Input
	now    time.Time
	turn   dialog.Turn
	f      dialog.Facts
	lang   care.Language
	flow   flowName
	state  string
	vars   map[string]string
	notice string // catalog key said before the prompt: why the input was not taken
	// noticeArgs fills the notice's placeholders (key, value, …).
	noticeArgs []string
	writes     dialog.Writes
	plan       *dialog.PlanView
	silent     bool
	// again answers with the stored last prompt (repeat, page turn) instead of the state's.
	again bool
	// repeats counts identical SMS from this number within the hour before this one.
	repeats int
	// missing collects catalog keys looked up but absent (a test keeps it empty).
	missing []string
	// used collects the catalog keys looked up, in order: the prompt check names them.
	used []string
}

func (e *Engine) newStep(in Input, now time.Time, t dialog.Turn, f dialog.Facts) *step {
	s := &step{e: e, in: in, now: now, turn: t, f: f, lang: f.Session.Language,
		flow: flowName(f.Session.Flow), state: f.Session.State, vars: map[string]string{}}
	for k, v := range f.Session.Vars {
		s.vars[k] = v
	}
	if !s.lang.Valid() {
		s.lang = care.Vietnamese
	}
	if _, ok := e.flows[s.flow]; !ok || s.state == "" {
		s.flow, s.state = "", ""
	}
	return s
}

// person returns the caller's person facts (nil when unregistered).
func (s *step) person() *dialog.PersonFacts { return s.f.Person }

// nextLevel is when a new escalation climbs.
func (s *step) nextLevel(urgent bool) time.Time { return s.now.Add(s.e.sla.For(urgent)) }

// provider routes an outbound SMS.
func (s *step) provider(to care.Phone) care.Provider {
	if s.e.router == nil {
		return care.ProviderTwilio
	}
	return s.e.router.Route(to)
}
