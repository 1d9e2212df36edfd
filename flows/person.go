package flows

import (
	"context"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Reach a person (voice 0, or the offer after two time-outs): the first person on the
// caller's escalation ladder — their case manager, or for a caller without one their
// commune's staff or the on-call roster — by <Dial> (Prompt.Person). The dial's outcome
// comes back as Input.DialStatus: answered, the call just ends; not answered (busy, failed,
// no answer, cancelled), a call-back request goes up the ladder like any help request and
// the caller hears so. With nobody to dial at all, the call-back request is filed at once.
const (
	stPersonOffer = "offer"
	stConnecting  = "connecting"
	stCallback    = "callback"
	stTalked      = "talked"
	stBack        = "back"

	evConnect  = "connect"
	evCallback = "callback"
	evMissed   = "missed"
	evTalked   = "talked"
	evBack     = "back"

	varDial      = "dial"       // the phone the call is connected to, "" for nobody
	varDialRoute = "dial_route" // whose ladder that phone is on
	varMissed    = "missed"     // the dial was not answered
)

// Twilio's DialCallStatus values that mean the person was reached.
const (
	dialCompleted = "completed"
	dialAnswered  = "answered"
)

func personFlow() *flowSpec {
	reach := func(s *step) string {
		if s.vars[varDial] != "" {
			return evConnect
		}
		return evCallback
	}
	return &flowSpec{
		name: flowPerson,
		events: fsm.Events{
			{Name: evConnect, Src: []string{stateStart, stPersonOffer}, Dst: stConnecting},
			{Name: evCallback, Src: []string{stateStart, stPersonOffer}, Dst: stCallback},
			{Name: evOffer, Src: []string{stateStart}, Dst: stPersonOffer},
			{Name: evBack, Src: []string{stPersonOffer}, Dst: stBack},
			{Name: evMissed, Src: []string{stConnecting}, Dst: stCallback},
			{Name: evTalked, Src: []string{stConnecting}, Dst: stTalked},
		},
		prepare: func(ctx context.Context, s *step) error {
			_, c, commune := s.callerPlace()
			phone, route, err := s.turn.Reach(ctx, c, commune)
			if err != nil {
				return err
			}
			s.vars[varDial], s.vars[varDialRoute] = string(phone), string(route)
			return nil
		},
		entry: reach,
		states: map[string]stateSpec{
			stPersonOffer: {prompt: func(s *step) Prompt {
				// Offer whom the caller would reach: their commune's staff, the support line,
				// or, with nobody to ring, a request to be called back.
				key := keyPersonOffer
				switch {
				case s.vars[varDial] == "":
					key = keyPersonOfferCallback
				case care.EscalationRoute(s.vars[varDialRoute]) == care.RouteRoster:
					key = keyPersonOfferSupport
				}
				return s.menu(key, keyOptYes, keyOptGoBack)
			},
				input: func(_ context.Context, s *step, text string) (string, []any, error) {
					return choice(text, reach(s), evBack), nil, nil
				}},
			stConnecting: {prompt: func(s *step) Prompt {
				key := keyPersonConnect
				if care.EscalationRoute(s.vars[varDialRoute]) == care.RouteRoster {
					key = keyPersonConnectSupport
				}
				return Prompt{Text: s.t(key), Person: care.Phone(s.vars[varDial])}
			}, input: func(_ context.Context, _ *step, status string) (string, []any, error) {
				if status == dialCompleted || status == dialAnswered {
					return evTalked, nil, nil
				}
				// Busy, no answer, failed, cancelled, or anything Twilio adds later: nobody
				// talked to the caller, so a person must call back.
				return evMissed, vars(varMissed, "1"), nil
			}},
			stCallback: {prompt: func(s *step) Prompt {
				text := s.t(keyPersonCallback, "ref", s.vars[varRef]) + " " + s.whoWillAnswer(care.HelpCallback)
				if s.vars[varMissed] != "" {
					text = s.t(keyPersonNoAnswer) + " " + text
				}
				return Prompt{Text: text}
			}, end: true, act: func(ctx context.Context, s *step) error {
				return s.requestHelp(ctx, dialog.HelpFiling{Phone: s.in.Phone, Category: care.HelpCallback, Channel: s.in.Channel, Now: s.now})
			}},
			stTalked: {prompt: say(keyBye), end: true},
			stBack:   {next: handoff(flowReturn)},
		},
	}
}

// dialed handles the request of a <Dial>'s action: how the call to a person ended. A dial
// of a conversation that has moved on (a retried request) is answered with silence.
func (s *step) dialed(ctx context.Context) error {
	if s.flow != flowPerson || s.state != stConnecting {
		s.silent = true
		return nil
	}
	return s.input(ctx, s.in.DialStatus)
}
