package flows

// Input routing: what the input means (keywords, voice keys, pages, a fresh dial) and the
// one event it fires.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// run decides what the input means and fires at most one event.
func (s *step) run(ctx context.Context) error {
	if s.in.Channel == care.ChannelSMS && s.flow != "" && s.now.Sub(s.f.Session.UpdatedAt) > s.e.ttl {
		s.idle()
	}
	if kind, _ := outboundKind(s.in.Outbound); kind != "" {
		return s.outbound(ctx, kind)
	}
	if s.in.New {
		return s.dial(ctx)
	}
	switch s.in.Channel {
	case care.ChannelSMS:
		flow, state := s.flow, s.state
		err := s.sms(ctx)
		if err == nil && s.repeats >= LoopLimit && s.flow == flow && s.state == state && s.writes.Empty() {
			// The same text again and again without moving the conversation: an auto-reply
			// loop, most likely. Log it, answer nothing, change nothing.
			s.silent, s.writes, s.vars = true, dialog.Writes{}, map[string]string{}
			for k, v := range s.f.Session.Vars {
				s.vars[k] = v
			}
		}
		return err
	case care.ChannelUSSD:
		if s.turnPage(USSDMoreKey, USSDBackKey) {
			return nil
		}
		if kw, _ := matchKeyword(s.in.Text, false); kw == kwCancel || kw == kwLeave {
			// Typed on the keypad, HUY or CANCEL leaves what is under way, as by SMS.
			return s.cancel(ctx, s.flow != "" && s.flow != flowMenu)
		}
	case care.ChannelVoice:
		if s.in.DialStatus != "" {
			return s.dialed(ctx)
		}
		if done, err := s.voice(ctx); done {
			return err
		}
	}
	if s.flow == "" {
		return s.start(ctx, flowMenu, "")
	}
	return s.input(ctx, s.in.Text)
}

// sms handles keywords, loop protection and opt-out before the flow sees the text.
func (s *step) sms(ctx context.Context) error {
	kw, arg := matchKeyword(s.in.Text, !s.awaitsText())
	optedOut := s.f.Person != nil && s.f.Person.Status == care.PersonOptedOut
	if optedOut && s.flow == "" && !startsConversation(kw) {
		// They asked for no messages: nothing we start, and no stray text, gets an answer.
		// A conversation they start (MENU, GIUP, DK…) is consent to answer it, to its end.
		s.silent = true
		return nil
	}
	if kw != "" {
		return s.keyword(ctx, kw, arg)
	}
	if s.in.Text == "1" || s.in.Text == "2" {
		// A bare 1 or 2 answers the check-in or reminder we sent, if that is the last thing
		// the person heard from us (or they are between conversations).
		if name, asked := s.pendingAnswerAt(); name != "" && (s.flow == "" || asked.After(s.f.Session.UpdatedAt)) {
			s.resetVars()
			if err := s.enterFlow(ctx, name); err != nil {
				return err
			}
			return s.input(ctx, s.in.Text)
		}
	}
	if s.flow == "" {
		return s.start(ctx, flowMenu, "")
	}
	return s.input(ctx, s.in.Text)
}

// startsConversation reports whether keyword kw opens a conversation the person asked for:
// answered even after they opted out. STOP, ACK and a bare answer are not.
func startsConversation(kw keyword) bool {
	switch kw {
	case kwStart, kwHelp, kwMenu, kwRegister, kwStatus, kwCancel, kwVietnamese, kwEnglish:
		return true
	}
	return false
}

// awaitsText reports whether the conversation waits for free text (a name, a commune, a
// description): a word one typo from a keyword is then taken as written, so "Giap" stays a
// name.
func (s *step) awaitsText() bool {
	if s.flow == "" {
		return false
	}
	st := s.e.flows[s.flow].states[s.state]
	return st.input != nil && st.prompt != nil && st.prompt(s).Expect == ExpectText
}

// pendingAnswer names the flow a bare 1 or 2 answers: the newer of a waiting check-in and a
// sent reminder.
func (s *step) pendingAnswer() flowName {
	name, _ := s.pendingAnswerAt()
	return name
}

// pendingAnswerAt is pendingAnswer with the time the question went out.
func (s *step) pendingAnswerAt() (flowName, time.Time) {
	c, r := s.f.CheckIn, s.f.Reminder
	switch {
	case c != nil && (r == nil || !r.SentAt.After(c.AskedAt)):
		return flowCheckIn, c.AskedAt
	case r != nil:
		return flowReminder, r.SentAt
	}
	return "", time.Time{}
}

// opening is where a conversation starts: a flow, and the event that starts it ("" for its
// entry event).
type opening struct {
	flow flowName
	ev   string
}

// keywordOpenings are the keywords that simply start a flow.
var keywordOpenings = map[keyword]opening{
	kwRegister:   {flowRegister, ""},
	kwStatus:     {flowPlan, ""},
	kwHelp:       {flowHelp, ""},
	kwStart:      {flowOptIn, ""},
	kwVietnamese: {flowLanguage, evVietnamese},
	kwEnglish:    {flowLanguage, evEnglish},
}

// outboundOpenings are where a call we placed starts, by what it is about.
var outboundOpenings = map[string]opening{
	outboundCheckIn:  {flowCheckIn, ""},
	outboundReminder: {flowReminder, ""},
	// The plan status of a closed case says so and how to ask for help; no PIN first, since
	// it tells nothing of the plan.
	outboundClosed: {flowPlan, evBeginVoice},
}

func (s *step) keyword(ctx context.Context, kw keyword, arg string) error {
	inFlow := s.flow != "" && s.flow != flowMenu
	s.resetVars()
	if o, ok := keywordOpenings[kw]; ok {
		return s.start(ctx, o.flow, o.ev)
	}
	switch kw {
	case kwStop, kwOptOut:
		if s.f.Person != nil && s.f.Person.Status == care.PersonOptedOut {
			s.silent = true // confirmed once already
			return nil
		}
		if kw == kwStop {
			return s.start(ctx, flowOptOut, evStopNow)
		}
		return s.start(ctx, flowOptOut, "")
	case kwLeave:
		if s.flow == "" {
			// Between conversations, the carriers' word for stopping everything.
			return s.keyword(ctx, kwStop, arg)
		}
		fallthrough
	case kwCancel:
		return s.cancel(ctx, inFlow)
	case kwAck:
		s.vars[varEscalation] = arg
		if err := s.checkAck(ctx); err != nil {
			return err
		}
		return s.start(ctx, flowAck, "")
	}
	return s.start(ctx, flowMenu, "")
}

// cancel drops what the conversation was doing and shows the main menu, saying so when
// something was under way (inFlow). Never an opt-out.
func (s *step) cancel(ctx context.Context, inFlow bool) error {
	if inFlow {
		s.notice = keyCancelled
	}
	s.resetVars()
	return s.start(ctx, flowMenu, "")
}

// dial is the first request of a USSD session or a call: resume what dropped, or the menu.
func (s *step) dial(ctx context.Context) error {
	delete(s.vars, varKeys) // a new call hears the voice keys again
	if s.in.Channel == care.ChannelUSSD && s.f.Previous != nil && s.e.resumable(s.f.Previous.Flow, s.f.Previous.State) {
		prev := s.f.Previous
		s.vars = map[string]string{}
		for k, v := range prev.Vars {
			if k != varLast && k != varPage {
				s.vars[k] = v
			}
		}
		if prev.Flow != string(flowResume) {
			s.vars[varRFlow], s.vars[varRState] = prev.Flow, prev.State
		}
		s.lang = prev.Language
		s.writes.FinishSession = prev.ID
		return s.start(ctx, flowResume, "")
	}
	if s.in.Channel == care.ChannelVoice && s.flow != "" && s.now.Sub(s.f.Session.UpdatedAt) <= s.e.resume &&
		s.e.resumable(string(s.flow), s.state) {
		if s.flow != flowResume {
			s.vars[varRFlow], s.vars[varRState] = string(s.flow), s.state
		}
		delete(s.vars, varNoInput)
		return s.start(ctx, flowResume, "")
	}
	s.resetVars()
	return s.start(ctx, flowMenu, "")
}

// resumable reports whether a session stopped at flow/state can be continued.
func (e *Engine) resumable(flow, state string) bool {
	f, ok := e.flows[flowName(flow)]
	if !ok || flowName(flow) == flowPerson {
		return false
	}
	st, ok := f.states[state]
	return ok && st.input != nil && !st.noResume
}

func (s *step) outbound(ctx context.Context, kind string) error {
	s.resetVars()
	delete(s.vars, varKeys) // a call we placed: the person hears the voice keys with its first menu
	if o, ok := outboundOpenings[kind]; ok {
		return s.start(ctx, o.flow, o.ev)
	}
	return s.start(ctx, flowMenu, "")
}

// voice handles the keys every voice menu has: * repeat, 0 a person, 8 more options,
// 9 slower, and time-outs.
func (s *step) voice(ctx context.Context) (bool, error) {
	if s.in.NoInput {
		n, _ := strconv.Atoi(s.vars[varNoInput])
		n++
		s.vars[varNoInput] = strconv.Itoa(n)
		if n <= 2 {
			s.notice = keyNoInput
			s.again = true
			return true, nil
		}
		delete(s.vars, varNoInput)
		if s.flow == flowPerson {
			// Silent even at the offer of a person: connect them.
			return true, s.start(ctx, flowPerson, "")
		}
		s.keepPlace()
		return true, s.start(ctx, flowPerson, evOffer)
	}
	delete(s.vars, varNoInput)
	switch s.in.Text {
	case VoiceRepeatKey:
		s.again = true
		return true, nil
	case VoiceSlowerKey:
		s.vars[varSlow] = "1"
		s.again = true
		return true, nil
	case VoicePersonKey:
		s.keepPlace()
		return true, s.start(ctx, flowPerson, "")
	case VoiceMoreKey:
		return s.turnPage(VoiceMoreKey, ""), nil
	}
	return false, nil
}

// keepPlace remembers where the conversation is, to go back after an interruption.
func (s *step) keepPlace() {
	if s.flow != "" && s.flow != flowPerson && s.flow != flowResume {
		s.vars[varRFlow], s.vars[varRState] = string(s.flow), s.state
	}
}

// turnPage moves through the pages of the last prompt; it reports whether text did.
func (s *step) turnPage(more, back string) bool {
	if (s.in.Text != more && (back == "" || s.in.Text != back)) || s.vars[varLast] == "" {
		return false
	}
	last, ok := s.last()
	if !ok {
		return false
	}
	pages := s.pages(last)
	page, _ := strconv.Atoi(s.vars[varPage])
	switch {
	case s.in.Text == more && page+1 < len(pages):
		page++
	case s.in.Text == more && s.in.Channel == care.ChannelVoice && len(pages) > 1:
		page = 0 // voice goes round
	case back != "" && s.in.Text == back && page > 0:
		page--
	default:
		return false
	}
	s.vars[varPage] = strconv.Itoa(page)
	s.again = true
	return true
}

func (s *step) last() (Prompt, bool) {
	var p Prompt
	if err := json.Unmarshal([]byte(s.vars[varLast]), &p); err != nil {
		return Prompt{}, false
	}
	return p, true
}

// input feeds text to the current state.
func (s *step) input(ctx context.Context, text string) error {
	spec := s.e.flows[s.flow]
	st := spec.states[s.state]
	if st.input == nil {
		s.resetVars()
		return s.start(ctx, flowMenu, "")
	}
	ev, args, err := st.input(ctx, s, text)
	if err != nil {
		return err
	}
	if ev == "" {
		if s.notice == "" {
			s.notice = keyInvalid
		}
		return nil
	}
	return s.fire(ctx, spec, s.state, ev, args)
}

// start starts flow name with event ev from its start state (its entry event when "").
func (s *step) start(ctx context.Context, name flowName, ev string) error {
	spec := s.e.flows[name]
	if spec.prepare != nil {
		if err := spec.prepare(ctx, s); err != nil {
			return fmt.Errorf("%s: prepare: %w", name, err)
		}
	}
	if ev == "" {
		ev = spec.entry(s)
	}
	return s.fire(ctx, spec, stateStart, ev, nil)
}

// enterFlow puts the session at flow name's entry state without an event: a handoff from
// another flow whose event already moved this turn.
func (s *step) enterFlow(ctx context.Context, name flowName) error {
	spec := s.e.flows[name]
	if spec.prepare != nil {
		if err := spec.prepare(ctx, s); err != nil {
			return fmt.Errorf("%s: prepare: %w", name, err)
		}
	}
	s.flow, s.state = name, spec.dst(spec.entry(s))
	return nil
}

// fire rebuilds the machine at from, fires ev, and runs what the new state does. A callback
// that refuses the input cancels with a *notice: the state stays and says why.
func (s *step) fire(ctx context.Context, spec *flowSpec, from, ev string, args []any) error {
	m := fsm.NewFSM(from, spec.events, spec.machineCallbacks(s))
	err := m.Event(context.WithoutCancel(ctx), ev, args...)
	var (
		canceled fsm.CanceledError
		same     fsm.NoTransitionError
		n        *notice
	)
	switch {
	case err == nil, errors.As(err, &same):
	case errors.As(err, &canceled) && errors.As(canceled.Err, &n):
		s.flow, s.state, s.notice = spec.name, from, n.key
		return nil
	default:
		return fmt.Errorf("%s: event %s from %s: %w", spec.name, ev, from, err)
	}
	s.flow, s.state = spec.name, m.Current()
	for range 4 {
		st := s.e.flows[s.flow].states[s.state]
		if st.act != nil {
			if err := st.act(ctx, s); err != nil {
				return fmt.Errorf("%s %s: %w", s.flow, s.state, err)
			}
		}
		if st.next == nil {
			return nil
		}
		to := st.next(s)
		if to == flowReturn {
			s.flow, s.state = flowName(s.vars[varRFlow]), s.vars[varRState]
			delete(s.vars, varRFlow)
			delete(s.vars, varRState)
			if !s.e.resumable(string(s.flow), s.state) {
				s.resetVars()
				return s.enterFlow(ctx, flowMenu)
			}
			return nil
		}
		if err := s.enterFlow(ctx, to); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: handoffs loop at %s", s.flow, s.state)
}

// notice cancels an event because the input was not acceptable.
type notice struct{ key string }

func (n *notice) Error() string { return "input refused: " + n.key }

// refuse cancels e with the notice key.
func refuse(e *fsm.Event, key string) { e.Cancel(&notice{key: key}) }

// idle ends the conversation: the next input starts afresh.
func (s *step) idle() {
	s.flow, s.state = "", ""
	s.resetVars()
}

// resetVars drops what flows collected, keeping the caller's settings.
func (s *step) resetVars() {
	for k := range s.vars {
		if k != varSlow && k != varLast && k != varPage && k != varKeys {
			delete(s.vars, k)
		}
	}
}

// choice maps an answer to a menu of n options to the event at its position.
func choice(text string, events ...string) string {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 1 || n > len(events) {
		return ""
	}
	return events[n-1]
}
