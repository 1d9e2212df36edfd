package flows

import (
	"context"
	"slices"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// flowName names a flow; it is stored in the session.
type flowName string

// The flows.
const (
	flowMenu     flowName = "menu"
	flowLanguage flowName = "language"
	flowOptOut   flowName = "optout"
	flowOptIn    flowName = "optin"
	flowRegister flowName = "register"
	flowPlan     flowName = "plan"
	flowHelp     flowName = "help"
	flowCheckIn  flowName = "checkin"
	flowReminder flowName = "reminder"
	flowResume   flowName = "resume"
	flowPerson   flowName = "person"
	flowAck      flowName = "ack"
	// flowReturn as a handoff goes back to where an interrupted conversation was.
	flowReturn flowName = "_return"
)

// stateStart is every flow's state before its first event.
const stateStart = "start"

// Events shared by several flows.
const (
	evBegin = "begin"
	evOffer = "offer"
)

// flowSpec is one flow: its machine's events, what each state says and takes, and the
// callbacks that check input (they only compute; side effects run after Event returns).
type flowSpec struct {
	name   flowName
	events fsm.Events
	states map[string]stateSpec
	// entry names the event that starts the flow from stateStart.
	entry func(s *step) string
	// prepare runs when the flow is entered, before entry: it loads what entry decides on.
	prepare func(ctx context.Context, s *step) error
	// callbacks builds the machine's callbacks for this turn; keys come from beforeEvent and
	// enterState so a test can check each resolves.
	callbacks func(s *step) fsm.Callbacks
}

// stateSpec is one state of a flow.
type stateSpec struct {
	// prompt says the state; nil for a handoff.
	prompt func(s *step) Prompt
	// input turns the caller's answer into an event and its arguments; "" refuses it (with
	// s.notice set, or the generic "invalid choice"). nil for end and handoff states.
	input func(ctx context.Context, s *step, text string) (string, []any, error)
	// act runs the state's side effects after the event moved here.
	act func(ctx context.Context, s *step) error
	// end closes the conversation.
	end bool
	// noResume marks a state that takes input but leaves nothing unfinished (the main menu,
	// the plan read-out's "hear it again"): a dropped session there is not offered again.
	noResume bool
	// next hands the conversation to another flow's entry state.
	next func(s *step) flowName
	// channels lists the channels that reach the state; nil means all.
	channels []care.Channel
}

// textChannels is the channels of states a voice caller never reaches (free text).
func textChannels() []care.Channel { return []care.Channel{care.ChannelSMS, care.ChannelUSSD} }

// smsOnly is the channels of states only an SMS reaches (keywords).
func smsOnly() []care.Channel { return []care.Channel{care.ChannelSMS} }

// voiceOnly is the channels of states only a voice caller reaches.
func voiceOnly() []care.Channel { return []care.Channel{care.ChannelVoice} }

// dst is where ev leads from stateStart.
func (f *flowSpec) dst(ev string) string {
	for _, e := range f.events {
		if e.Name == ev && slices.Contains(e.Src, stateStart) {
			return e.Dst
		}
	}
	return ""
}

func beforeEvent(ev string) string { return "before_" + ev }

// setVars is the callback every flow has: an event's first argument, when it is a
// map[string]string, is stored in the session vars.
const setVars = "before_event"

func (s *step) callbacks(extra fsm.Callbacks) fsm.Callbacks {
	cb := fsm.Callbacks{
		setVars: func(_ context.Context, e *fsm.Event) {
			if len(e.Args) > 0 {
				if kv, ok := e.Args[0].(map[string]string); ok {
					for k, v := range kv {
						s.vars[k] = v
					}
				}
			}
		},
	}
	for k, v := range extra {
		cb[k] = v
	}
	return cb
}

// vars is the argument that sets session vars.
func vars(kv ...string) []any {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return []any{m}
}

// choose answers a menu: the event at the chosen position, or "" for anything else.
func choose(events ...string) func(context.Context, *step, string) (string, []any, error) {
	return func(_ context.Context, _ *step, text string) (string, []any, error) {
		return choice(text, events...), nil, nil
	}
}

// handoff hands the conversation to flow f.
func handoff(f flowName) func(*step) flowName { return func(*step) flowName { return f } }

// say is a prompt of one catalog text.
func say(key string) func(*step) Prompt {
	return func(s *step) Prompt { return Prompt{Text: s.t(key)} }
}

// ask is a menu prompt of catalog keys.
func ask(text string, options ...string) func(*step) Prompt {
	return func(s *step) Prompt { return s.menu(text, options...) }
}

// machineCallbacks is every callback of the flow's machine for this turn.
func (f *flowSpec) machineCallbacks(s *step) fsm.Callbacks {
	if f.callbacks == nil {
		return s.callbacks(nil)
	}
	return s.callbacks(f.callbacks(s))
}
