package flows

import (
	"cmp"
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

// Defaults of Deps.
const (
	DefaultScreenLimit  = 160
	MaxScreenLimit      = 182
	DefaultSessionTTL   = time.Hour
	DefaultResumeWindow = 30 * time.Minute
	// LoopLimit is how many identical SMS from one number an hour get an answer when they do
	// not move the conversation on (an auto-responder loop); menu answers that do are not held.
	LoopLimit = 5
)

// Voice keys besides the menu options: said by the renderer after the options.
const (
	VoiceRepeatKey = "*" // says the last prompt again
	VoicePersonKey = "0" // reaches a person
	VoiceMoreKey   = "8" // the next options of a menu longer than five
	VoiceSlowerKey = "9" // speaks slower from now on (Reply.Slow)
)

// USSD pagination keys: never menu keys on USSD.
const (
	USSDMoreKey = "9"
	USSDBackKey = "0"
)

// Deps is what the engine needs.
type Deps struct {
	Turns dialog.Turns
	Clock care.Clock
	// Router picks the provider of outbound SMS rows (the case manager's notice); nil sends
	// everything through Twilio.
	Router care.Router
	// ScreenLimit is the USSD screen size: 0 means 160, at most 182.
	ScreenLimit int
	// SLA sets when a new escalation climbs; zero means care.DefaultSLA.
	SLA care.SLA
	// Location is the time zone appointments are read out in; nil means Asia/Ho_Chi_Minh.
	Location *time.Location
	// SessionTTL restarts an SMS conversation left idle longer than this at the menu.
	SessionTTL time.Duration
	// ResumeWindow is how long a dropped USSD or voice session is offered for resuming.
	ResumeWindow time.Duration
	// EmergencyNumbers are said to a caller who is in danger now, in order; nil means
	// DefaultEmergencyNumbers.
	EmergencyNumbers []string
	// Prompts are the texts said and sent; nil means ShippedPrompts. An override is checked
	// (CheckPrompts) before it gets here.
	Prompts *Prompts
}

// DefaultEmergencyNumbers are Vietnam's police (113) and child protection (111) lines.
var DefaultEmergencyNumbers = []string{"113", "111"}

// Engine runs one turn of a dialog per Handle call. It is safe for concurrent use.
type Engine struct {
	turns  dialog.Turns
	clock  care.Clock
	router care.Router
	limit  int
	sla    care.SLA
	loc    *time.Location
	ttl    time.Duration
	resume time.Duration
	sos    []string
	flows  map[flowName]*flowSpec
	cat    catalog
}

// NewEngine returns an engine with deps, filling in defaults.
func NewEngine(deps Deps) *Engine {
	e := &Engine{
		turns: deps.Turns, clock: deps.Clock, router: deps.Router, limit: deps.ScreenLimit,
		sla: deps.SLA, loc: deps.Location, ttl: deps.SessionTTL, resume: deps.ResumeWindow,
		sos: deps.EmergencyNumbers, cat: cmp.Or(deps.Prompts, ShippedPrompts()).catalog(),
	}
	if len(e.sos) == 0 {
		e.sos = DefaultEmergencyNumbers
	}
	if e.clock == nil {
		e.clock = care.SystemClock{}
	}
	if e.limit <= 0 {
		e.limit = DefaultScreenLimit
	}
	e.limit = min(e.limit, MaxScreenLimit)
	if e.sla.Urgent <= 0 || e.sla.Normal <= 0 {
		e.sla = care.DefaultSLA
	}
	if e.loc == nil {
		e.loc = defaultLocation()
	}
	if e.ttl <= 0 {
		e.ttl = DefaultSessionTTL
	}
	if e.resume <= 0 {
		e.resume = DefaultResumeWindow
	}
	e.flows = map[flowName]*flowSpec{}
	for _, f := range []*flowSpec{menuFlow(), languageFlow(), optOutFlow(), optInFlow(), registerFlow(),
		planFlow(), helpFlow(), checkInFlow(), reminderFlow(), resumeFlow(), personFlow(), ackFlow()} {
		e.flows[f.name] = f
	}
	return e
}

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

// defaultLocation is care.DefaultTimeZone, or its fixed offset where the zone database lacks it.
func defaultLocation() *time.Location {
	loc, err := time.LoadLocation(care.DefaultTimeZone)
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	return loc
}

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

func (s *step) keyword(ctx context.Context, kw keyword, arg string) error {
	inFlow := s.flow != "" && s.flow != flowMenu
	s.resetVars()
	switch kw {
	case kwRegister:
		return s.start(ctx, flowRegister, "")
	case kwStatus:
		return s.start(ctx, flowPlan, "")
	case kwHelp:
		return s.start(ctx, flowHelp, "")
	case kwStop, kwOptOut:
		if s.f.Person != nil && s.f.Person.Status == care.PersonOptedOut {
			s.silent = true // confirmed once already
			return nil
		}
		if kw == kwStop {
			return s.start(ctx, flowOptOut, evStopNow)
		}
		return s.start(ctx, flowOptOut, "")
	case kwStart:
		return s.start(ctx, flowOptIn, "")
	case kwLeave:
		if s.flow == "" {
			// Between conversations, the carriers' word for stopping everything.
			return s.keyword(ctx, kwStop, arg)
		}
		fallthrough
	case kwCancel:
		return s.cancel(ctx, inFlow)
	case kwVietnamese:
		return s.start(ctx, flowLanguage, evVietnamese)
	case kwEnglish:
		return s.start(ctx, flowLanguage, evEnglish)
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
	switch kind {
	case outboundCheckIn:
		return s.start(ctx, flowCheckIn, "")
	case outboundReminder:
		return s.start(ctx, flowReminder, "")
	case outboundClosed:
		// The plan status of a closed case says so and how to ask for help; no PIN first,
		// since it tells nothing of the plan.
		return s.start(ctx, flowPlan, evBeginVoice)
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

// reply renders the prompt for the channel and settles the session for the next turn.
func (s *step) reply() Reply {
	version := s.f.Session.Version + 1
	diacritics := s.f.Person != nil && s.f.Person.Diacritics
	if s.silent {
		return Reply{Silent: true, Step: version, Diacritics: diacritics}
	}
	var (
		full Prompt
		ok   bool
	)
	if s.again {
		full, ok = s.last()
	}
	if !ok {
		full = s.render()
		delete(s.vars, varPage)
	}
	if full.End || s.flow == "" {
		s.idle()
	}
	shown := full
	if s.notice != "" {
		shown.Text = s.t(s.notice, s.noticeArgs...) + " " + shown.Text
	}
	r := Reply{Prompt: shown, Step: version, Diacritics: diacritics, Slow: s.vars[varSlow] == "1"}
	if s.in.Channel != care.ChannelSMS {
		s.page(&r, full)
	}
	r.Text = wireText(s.in.Channel, r)
	return r
}

// page keeps full as the last prompt, puts the page on screen in r (USSD, voice) and says
// the voice keys on a call's first menu or when asked again.
func (s *step) page(r *Reply, full Prompt) {
	if b, err := json.Marshal(full); err == nil {
		s.vars[varLast] = string(b)
	}
	pages := s.pages(r.Prompt)
	page, _ := strconv.Atoi(s.vars[varPage])
	if page >= len(pages) {
		page = 0
	}
	if len(pages) > 1 {
		s.vars[varPage] = strconv.Itoa(page)
	} else {
		delete(s.vars, varPage)
	}
	r.Prompt = pages[page]
	if s.in.Channel == care.ChannelVoice && r.Prompt.Expect == ExpectChoice && !r.Prompt.End &&
		(s.vars[varKeys] == "" || s.in.Text == VoiceRepeatKey) {
		r.Keys = s.voiceKeys()
		s.vars[varKeys] = "1"
	}
}

// voiceKeys lists, in the session's language, the keys every voice menu has besides its
// options. They are said on a call's first menu, and again when the caller asks to hear a
// prompt again, rather than after every menu: five options and three keys each time is more
// than a caller can hold.
func (s *step) voiceKeys() []Option {
	return []Option{
		{Key: VoiceRepeatKey, Label: s.t(keyVoiceRepeat)},
		{Key: VoicePersonKey, Label: s.t(keyVoicePerson)},
		{Key: VoiceSlowerKey, Label: s.t(keyVoiceSlower)},
	}
}

// render builds the current state's prompt in the session's language.
func (s *step) render() Prompt {
	if s.flow == "" {
		return Prompt{Text: s.t(keyBye), End: true, Language: s.lang}
	}
	st := s.e.flows[s.flow].states[s.state]
	p := st.prompt(s)
	p.Language = s.lang
	if st.end {
		p.End = true
		p.Expect = ExpectNothing
	} else if p.Expect == ExpectNothing {
		p.Expect = ExpectChoice
	}
	return p
}

// pages splits a prompt for the channel's screen or menu limits.
func (s *step) pages(p Prompt) []Prompt {
	switch s.in.Channel {
	case care.ChannelUSSD:
		return ussdPages(p, s.e.limit, s.t(keyMore), s.t(keyBack))
	case care.ChannelVoice:
		return voicePages(p, s.t(keyMore), s.t(keyMoreOptions))
	}
	return []Prompt{p}
}

// t looks a prompt up in the session's language, filling {name} placeholders from kv pairs.
func (s *step) t(key string, kv ...string) string {
	if v, ok := voiceVariants[key]; ok && s.in.Channel == care.ChannelVoice {
		key = v
	}
	if _, ok := s.e.cat[key]; !ok {
		s.missing = append(s.missing, key)
	}
	s.used = append(s.used, key)
	return s.e.cat.text(s.lang, key, kv...)
}

// menu builds a choice prompt from catalog keys: options are numbered from 1.
func (s *step) menu(text string, options ...string) Prompt {
	return Prompt{Text: s.t(text), Expect: ExpectChoice, Options: s.options(options...)}
}

// options numbers catalog keys' texts from 1.
func (s *step) options(keys ...string) []Option {
	out := make([]Option, len(keys))
	for i, k := range keys {
		out[i] = Option{Key: strconv.Itoa(i + 1), Label: s.t(k)}
	}
	return out
}

// choice maps an answer to a menu of n options to the event at its position.
func choice(text string, events ...string) string {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 1 || n > len(events) {
		return ""
	}
	return events[n-1]
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
