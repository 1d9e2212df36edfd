package flows

import (
	"context"
	"strconv"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// Reach a person (voice 0, or the offer after two time-outs): the case manager's phone by
// <Dial> (Prompt.Person), or, with no case manager, a help request so one calls back.
const (
	stPersonOffer = "offer"
	stConnecting  = "connecting"
	stCallback    = "callback"
	stBack        = "back"

	evConnect  = "connect"
	evCallback = "callback"
	evBack     = "back"
)

func personFlow() *flowSpec {
	reach := func(s *step) string {
		if p := s.person(); p != nil && p.ManagerPhone != "" {
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
		},
		entry: reach,
		states: map[string]stateSpec{
			stPersonOffer: {prompt: ask(keyPersonOffer, keyOptYes, keyOptGoBack),
				input: func(_ context.Context, s *step, text string) (string, []any, error) {
					return choice(text, reach(s), evBack), nil, nil
				}},
			stConnecting: {prompt: func(s *step) Prompt {
				p := Prompt{Text: s.t(keyPersonConnect)}
				if f := s.person(); f != nil {
					p.Person = f.ManagerPhone
				}
				return p
			}, end: true},
			stCallback: {prompt: func(s *step) Prompt {
				return Prompt{Text: s.t(keyPersonCallback, "ref", s.vars[varRef])}
			}, end: true, act: func(ctx context.Context, s *step) error {
				h := HelpFiling{Phone: s.in.Phone, Category: care.HelpOther, Description: "asked for a person by phone",
					Channel: s.in.Channel, Now: s.now, NextLevelAt: s.nextLevel(false)}
				if p := s.person(); p != nil {
					h.PersonID, h.CaseID, h.Commune = p.ID, p.CaseID, p.Commune
				}
				got, err := s.turn.RequestHelp(ctx, h)
				if err != nil {
					return err
				}
				s.vars[varRef] = strconv.FormatInt(int64(got.HelpRequestID), 10)
				return nil
			}},
			stBack: {next: handoff(flowReturn)},
		},
	}
}
