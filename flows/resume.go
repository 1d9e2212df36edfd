package flows

import (
	"context"

	"github.com/looplab/fsm"
)

// Resume: a USSD or voice session that dropped mid-flow offers "1 continue, 2 main menu" on
// the next dial. The engine copied where it stopped into _rflow/_rstate.
const (
	stResumeOffer = "offer"
	stContinued   = "continued"
	stToMenu      = "to_menu"

	evContinue = "continue"
	evMenu     = "menu"
)

func resumeFlow() *flowSpec {
	return &flowSpec{
		name: flowResume,
		events: fsm.Events{
			{Name: evOffer, Src: []string{stateStart}, Dst: stResumeOffer},
			{Name: evContinue, Src: []string{stResumeOffer}, Dst: stContinued},
			{Name: evMenu, Src: []string{stResumeOffer}, Dst: stToMenu},
		},
		entry: func(*step) string { return evOffer },
		states: map[string]stateSpec{
			stResumeOffer: {prompt: ask(keyResume, keyOptContinue, keyOptMainMenu), input: choose(evContinue, evMenu)},
			stContinued:   {next: handoff(flowReturn)},
			stToMenu: {next: handoff(flowMenu), act: func(_ context.Context, s *step) error {
				s.resetVars()
				return nil
			}},
		},
	}
}
