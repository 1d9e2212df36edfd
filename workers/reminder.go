package workers

import (
	"strconv"
	"time"

	"github.com/caseline/caseline/care"
)

// decideReminder decides one appointment reminder: it goes if it is still due and still about
// the appointment as it stands (pending, made for the appointment's current version, the
// appointment scheduled and ahead), on the person's channel (a call for blind people, SMS
// otherwise), never in quiet hours, and never to someone who opted out.
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
