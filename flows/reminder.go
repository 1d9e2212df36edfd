package flows

import (
	"context"
	"strconv"
	"time"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Answer to an appointment reminder: 1 I will come, 2 I cannot come — which tells the case
// manager (escalation cannot_come). Reached by a bare 1 or 2 by SMS after a reminder, menu 5,
// or the outbound call "reminder:<id>".
const (
	stReminderAsk = "ask"
	stComing      = "coming"
	stNotComing   = "not_coming"
	stStale       = "stale"

	evStale  = "stale"
	evCome   = "come"
	evCannot = "cannot"

	varReminder    = "reminder"
	varAppointment = "appointment"
	varWhen        = "when"
	varPlace       = "place"
)

func reminderFlow() *flowSpec {
	return &flowSpec{
		name: flowReminder,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stReminderAsk},
			{Name: evStale, Src: []string{stateStart}, Dst: stStale},
			{Name: evCome, Src: []string{stReminderAsk}, Dst: stComing},
			{Name: evCannot, Src: []string{stReminderAsk}, Dst: stNotComing},
		},
		prepare: func(_ context.Context, s *step) error {
			if r := s.f.Reminder; r != nil {
				s.vars[varReminder] = strconv.FormatInt(int64(r.ID), 10)
				s.vars[varAppointment] = strconv.FormatInt(int64(r.AppointmentID), 10)
				s.vars[varWhen] = r.At.UTC().Format(time.RFC3339)
				s.vars[varPlace] = clip(r.Place, placeChars)
			}
			return nil
		},
		entry: func(s *step) string {
			if s.vars[varReminder] == "" {
				return evStale
			}
			return evBegin
		},
		states: map[string]stateSpec{
			stReminderAsk: {prompt: func(s *step) Prompt {
				when := s.vars[varWhen]
				if t, err := time.Parse(time.RFC3339, when); err == nil {
					when = s.when(t)
				}
				p := s.menu(keyReminder, keyOptCome, keyOptCannotCome)
				p.Text = s.t(keyReminder, "when", when, "place", s.vars[varPlace])
				return p
			}, input: choose(evCome, evCannot)},
			stComing: {prompt: say(keyReminderCome), end: true, act: func(_ context.Context, s *step) error {
				s.writes.Reminder = &dialog.ReminderAnswer{ID: s.reminder(), Answer: "1"}
				return nil
			}},
			stNotComing: {prompt: say(keyReminderCannot), end: true, act: func(_ context.Context, s *step) error {
				s.writes.Reminder = &dialog.ReminderAnswer{ID: s.reminder(), Answer: "2"}
				appt, _ := strconv.ParseInt(s.vars[varAppointment], 10, 64)
				e := &dialog.NewEscalation{Reason: care.ReasonCannotCome, AppointmentID: care.AppointmentID(appt),
					NextLevelAt: s.nextLevel(false)}
				if p := s.person(); p != nil {
					e.PersonID, e.CaseID, e.Commune = p.ID, p.CaseID, p.Commune
				}
				s.writes.Escalation = e
				return nil
			}},
			stStale: {prompt: say(keyReminderStale), end: true},
		},
	}
}

func (s *step) reminder() care.ReminderID {
	id, _ := strconv.ParseInt(s.vars[varReminder], 10, 64)
	return care.ReminderID(id)
}
