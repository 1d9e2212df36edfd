package flows

import (
	"context"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Opt-out and opt-in. The carriers' STOP stops every message at once; NGỪNG NHẬN TIN (or
// STOP MESSAGES) asks first — "1 to stop, 2 to keep messages" — because losing reminders and
// check-ins by a slip of the keypad hurts the people this is for. A person with an open case
// who stops is reported to their case manager (escalation opted_out, normal SLA), so nobody
// falls silent without a person knowing. GIUP still works afterwards; BAT DAU/START undoes it.
const (
	stOptOutAsk = "ask"
	stStopped   = "stopped"
	stKept      = "kept"
	stStarted   = "started"

	evStopNow = "stop_now"
	evConfirm = "confirm"
	evKeep    = "keep"
)

func optOutFlow() *flowSpec {
	return &flowSpec{
		name: flowOptOut,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stOptOutAsk},
			{Name: evStopNow, Src: []string{stateStart}, Dst: stStopped},
			{Name: evConfirm, Src: []string{stOptOutAsk}, Dst: stStopped},
			{Name: evKeep, Src: []string{stOptOutAsk}, Dst: stKept},
		},
		entry: func(*step) string { return evBegin },
		states: map[string]stateSpec{
			stOptOutAsk: {channels: smsOnly(), prompt: ask(keyOptOutAsk, keyOptStopAll, keyOptKeep), input: choose(evConfirm, evKeep)},
			stStopped:   {channels: smsOnly(), prompt: say(keyOptedOut), end: true, act: optOut},
			stKept:      {channels: smsOnly(), prompt: say(keyOptOutKept), end: true},
		},
	}
}

// optOut stops the person's messages and, when they have an open case, tells its manager.
func optOut(_ context.Context, s *step) error {
	p := s.person()
	if p == nil {
		return nil
	}
	s.writes.PersonStatus = care.PersonOptedOut
	if p.CaseID != 0 {
		s.writes.Escalation = &dialog.NewEscalation{Reason: care.ReasonOptedOut, PersonID: p.ID, CaseID: p.CaseID,
			Commune: p.Commune, NextLevelAt: s.nextLevel(false)}
	}
	return nil
}

func optInFlow() *flowSpec {
	return &flowSpec{
		name:   flowOptIn,
		events: fsm.Events{{Name: evBegin, Src: []string{stateStart}, Dst: stStarted}},
		entry:  func(*step) string { return evBegin },
		states: map[string]stateSpec{
			stStarted: {channels: smsOnly(), prompt: say(keyOptedIn), end: true, act: func(_ context.Context, s *step) error {
				if p := s.person(); p != nil && p.Status == care.PersonOptedOut {
					s.writes.PersonStatus = care.PersonActive
				}
				return nil
			}},
		},
	}
}
