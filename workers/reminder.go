package workers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
)

// handleReminder sends one appointment reminder if it is still due and still about the
// appointment as it stands: pending, made for the appointment's current version, the
// appointment scheduled and ahead. It goes on the person's channel (a call for blind people,
// SMS otherwise), never in quiet hours, and never to someone who opted out.
func (w *worker) handleReminder(ctx context.Context, t *asynq.Task) error {
	p, err := decode(t)
	if err != nil {
		return err
	}
	now := w.Clock.Now()
	var outs []care.Outgoing
	ids, err := w.Store.RunReminder(ctx, care.ReminderID(p.ID), now, func(rw care.ReminderWork) (care.ReminderResult, error) {
		res := w.decideReminder(rw, now)
		outs = res.Messages
		return res, nil
	})
	if care.ErrorCode(err) == care.ENOTFOUND {
		zerolog.Ctx(ctx).Warn().Int64("reminder", p.ID).Msg("reminder gone")
		return nil
	}
	if err != nil {
		return fmt.Errorf("reminder %d: %w", p.ID, err)
	}
	w.kickMessages(ctx, ids, outs)
	return nil
}

func (w *worker) decideReminder(rw care.ReminderWork, now time.Time) care.ReminderResult {
	r, a, person := rw.Reminder, rw.Appointment, rw.Person
	res := care.ReminderResult{Status: r.Status}
	switch {
	case r.Status != care.WorkPending:
		return res // done or cancelled already: a repeated task
	case a.Status != care.AppointmentScheduled || a.Version != r.Version:
		res.Status = care.WorkCancelled // moved or cancelled: a stale reminder never goes
		return res
	case r.DueAt.After(now):
		return res // early: the dispatcher brings it back when due
	case !a.At.After(now) || rw.Superseded:
		res.Status = care.WorkDone // too late, or a closer reminder goes instead
		return res
	case person.Status != care.PersonActive:
		res.Status = care.WorkCancelled
		return res
	}
	if plan := w.Reminders; plan.Quiet.In(now, plan.Location) {
		// Late (the service was down) and it is night now: wait for the morning if that is
		// still before the appointment.
		if due, ok := plan.DueAt(a.At, a.At.Sub(now), now); ok && due.After(now) {
			res.DueAt = &due
			return res
		}
		res.Status = care.WorkDone
		return res
	}
	res.Status, res.Sent = care.WorkDone, true
	key := "reminder:" + strconv.FormatInt(int64(r.ID), 10)
	res.Messages = []care.Outgoing{w.toPerson(person, key, key, reminderText(person.Language, a.At, a.Place, w.Location))}
	return res
}
