package flows

import (
	"cmp"
	"time"

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

// defaultLocation is care.DefaultTimeZone, or its fixed offset where the zone database lacks it.
func defaultLocation() *time.Location {
	loc, err := time.LoadLocation(care.DefaultTimeZone)
	if err != nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	return loc
}
