package flows

import (
	"context"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// Opt-out (HUY/STOP) and opt-in (BAT DAU/START): the person's status, confirmed once.
const (
	stStopped = "stopped"
	stStarted = "started"
)

func optOutFlow() *flowSpec {
	return &flowSpec{
		name:   flowOptOut,
		events: fsm.Events{{Name: evBegin, Src: []string{stateStart}, Dst: stStopped}},
		entry:  func(*step) string { return evBegin },
		states: map[string]stateSpec{
			stStopped: {prompt: say(keyOptedOut), end: true, act: func(_ context.Context, s *step) error {
				if s.person() != nil {
					s.writes.PersonStatus = care.PersonOptedOut
				}
				return nil
			}},
		},
	}
}

func optInFlow() *flowSpec {
	return &flowSpec{
		name:   flowOptIn,
		events: fsm.Events{{Name: evBegin, Src: []string{stateStart}, Dst: stStarted}},
		entry:  func(*step) string { return evBegin },
		states: map[string]stateSpec{
			stStarted: {prompt: say(keyOptedIn), end: true, act: func(_ context.Context, s *step) error {
				if p := s.person(); p != nil && p.Status == care.PersonOptedOut {
					s.writes.PersonStatus = care.PersonActive
				}
				return nil
			}},
		},
	}
}
