package flows

import (
	"context"
	"strconv"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Check-in reply: 1 I am fine, 2 I need help — which opens a need_help escalation and goes on
// into Get help. Reached by a bare 1 or 2 by SMS while a check-in waits, menu 5, or the
// outbound call "checkin:<id>".
//
// A consenting caregiver's 1 or 2, from the caregiver's own number, answers the check-in of
// the person they care for (Circular 01/2015 lets a family member answer for the person):
// 1 records it as fine; 2 files a help request on the person's case at once (the caregiver
// is not taken through the help questions, which are the person's own), and it goes up the
// ladder like any help.
const (
	stCheckInAsk  = "ask"
	stFine        = "fine"
	stNeedHelp    = "need_help"
	stCaregiverOK = "caregiver_fine"
	stCaredHelp   = "caregiver_help"

	evFine          = "fine"
	evNeed          = "need"
	evCaregiverFine = "caregiver_fine"
	evCaregiverNeed = "caregiver_need"

	// varCaredFor is the person a caregiver answers for.
	varCaredFor = "cared_for"
	// varCaredName is their name, as the caregiver is told it.
	varCaredName = "cared_name"
)

func checkInFlow() *flowSpec {
	return &flowSpec{
		name: flowCheckIn,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stCheckInAsk},
			{Name: evFine, Src: []string{stCheckInAsk}, Dst: stFine},
			{Name: evNeed, Src: []string{stCheckInAsk}, Dst: stNeedHelp},
			{Name: evCaregiverFine, Src: []string{stCheckInAsk}, Dst: stCaregiverOK},
			{Name: evCaregiverNeed, Src: []string{stCheckInAsk}, Dst: stCaredHelp},
		},
		entry: func(*step) string { return evBegin },
		prepare: func(_ context.Context, s *step) error {
			if c := s.f.CheckIn; c != nil {
				s.vars[varCheckIn] = strconv.FormatInt(int64(c.ID), 10)
				if c.For != nil {
					s.vars[varCaredFor] = strconv.FormatInt(int64(c.For.ID), 10)
					s.vars[varCaredName] = c.For.Name
				}
			}
			return nil
		},
		states: map[string]stateSpec{
			stCheckInAsk: {prompt: func(s *step) Prompt {
				if s.vars[varCaredFor] != "" {
					return Prompt{Text: s.t(keyCheckInCaregiver, "name", clip(s.vars[varCaredName], 30)), Expect: ExpectChoice,
						Options: s.options(keyOptFine, keyOptNeedHelp)}
				}
				return s.menu(keyCheckIn, keyOptFine, keyOptNeedHelp)
			}, input: func(_ context.Context, s *step, text string) (string, []any, error) {
				ev := choice(text, evFine, evNeed)
				if s.vars[varCaredFor] != "" {
					switch ev {
					case evFine:
						return evCaregiverFine, nil, nil
					case evNeed:
						return evCaregiverNeed, nil, nil
					}
				}
				return ev, nil, nil
			}},
			stCaregiverOK: {prompt: func(s *step) Prompt {
				return Prompt{Text: s.t(keyCheckInCaregiverFine, "name", clip(s.vars[varCaredName], 30))}
			}, end: true, act: func(_ context.Context, s *step) error {
				if id := s.checkIn(); id != 0 {
					s.writes.CheckIn = &dialog.CheckInAnswer{ID: id, Status: care.CheckInFine}
				}
				return nil
			}},
			stCaredHelp: {prompt: func(s *step) Prompt {
				name := clip(s.vars[varCaredName], 30)
				if s.vars[varRef] == "" { // answered meanwhile: nothing was filed
					return Prompt{Text: s.t(keyCheckInCaregiverFine, "name", name)}
				}
				return Prompt{Text: s.t(keyCheckInCaregiverHelp, "name", name, "ref", s.vars[varRef]) + " " +
					s.whoWillAnswer(care.HelpOther)}
			}, end: true, act: caregiverHelp},
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

// caregiverHelp records a caregiver's "needs help" as the check-in's answer and files a
// help request on the person's case, joined to the check-in's escalation, with the
// person's priority.
func caregiverHelp(ctx context.Context, s *step) error {
	c := s.f.CheckIn
	if c == nil || c.For == nil || strconv.FormatInt(int64(c.ID), 10) != s.vars[varCheckIn] {
		// The check-in was answered or closed since the question: nothing to answer now.
		return nil
	}
	s.writes.CheckIn = &dialog.CheckInAnswer{ID: c.ID, Status: care.CheckInNeedHelp}
	return s.requestHelp(ctx, dialog.HelpFiling{
		PersonID: c.For.ID, CaseID: c.For.CaseID, Commune: c.For.Commune, Phone: s.in.Phone,
		Category: care.HelpOther, Channel: s.in.Channel, CheckIn: c.ID, Now: s.now,
		Priority: s.priority(c.For.Sex, c.For.BirthYear),
	})
}

// checkIn is the check-in this conversation answers.
func (s *step) checkIn() care.CheckInID {
	id, _ := strconv.ParseInt(s.vars[varCheckIn], 10, 64)
	return care.CheckInID(id)
}
