package flows

import (
	"context"
	"strconv"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/dialog"
)

// Check-in reply: 1 I am fine, 2 I need help — which opens a need_help escalation and goes on
// into Get help. Reached by a bare 1 or 2 by SMS while a check-in waits, menu 5, or the
// outbound call "checkin:<id>".
const (
	stCheckInAsk = "ask"
	stFine       = "fine"
	stNeedHelp   = "need_help"

	evFine = "fine"
	evNeed = "need"
)

func checkInFlow() *flowSpec {
	return &flowSpec{
		name: flowCheckIn,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stCheckInAsk},
			{Name: evFine, Src: []string{stCheckInAsk}, Dst: stFine},
			{Name: evNeed, Src: []string{stCheckInAsk}, Dst: stNeedHelp},
		},
		entry: func(*step) string { return evBegin },
		prepare: func(_ context.Context, s *step) error {
			if c := s.f.CheckIn; c != nil {
				s.vars[varCheckIn] = strconv.FormatInt(int64(c.ID), 10)
			}
			return nil
		},
		states: map[string]stateSpec{
			stCheckInAsk: {prompt: ask(keyCheckIn, keyOptFine, keyOptNeedHelp), input: choose(evFine, evNeed)},
			stFine: {prompt: say(keyCheckInFine), end: true, act: func(_ context.Context, s *step) error {
				if id := s.checkIn(); id != 0 {
					s.writes.CheckIn = &dialog.CheckInAnswer{ID: id, Status: care.CheckInFine}
				}
				return nil
			}},
			stNeedHelp: {next: handoff(flowHelp), act: func(_ context.Context, s *step) error {
				id := s.checkIn()
				if id != 0 {
					s.writes.CheckIn = &dialog.CheckInAnswer{ID: id, Status: care.CheckInNeedHelp}
				}
				e := &dialog.NewEscalation{Reason: care.ReasonNeedHelp, CheckInID: id, NextLevelAt: s.nextLevel(false)}
				if p := s.person(); p != nil {
					e.PersonID, e.CaseID, e.Commune = p.ID, p.CaseID, p.Commune
				}
				s.writes.Escalation = e
				return nil
			}},
		},
	}
}

// checkIn is the check-in this conversation answers.
func (s *step) checkIn() care.CheckInID {
	id, _ := strconv.ParseInt(s.vars[varCheckIn], 10, 64)
	return care.CheckInID(id)
}
