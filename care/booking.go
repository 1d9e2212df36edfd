package care

import (
	"context"
	"time"
)

// The rules for setting up a case's appointments and check-ins, whichever door the staff
// member uses (the JSON API or the console).

// MaxAppointmentText bounds an appointment's place and its purpose, in characters.
const MaxAppointmentText = 200

// Bookable is nil while appointments and check-ins may be set up on the case: not once it
// is closed (ECONFLICT).
func (c *Case) Bookable() error {
	if c.Step == StepClosed {
		return Errorf(ECONFLICT, "the case is closed")
	}
	return nil
}

// CheckAppointmentTime is nil when at is after now: appointments are booked and moved only
// into the future.
func CheckAppointmentTime(at, now time.Time) error {
	if !at.After(now) {
		return FieldError("at", "must be in the future")
	}
	return nil
}

// Reminders keeps an appointment's reminders in step with it (the workers' scheduler, for
// the API and the console alike): after an appointment is created or moved, Schedule makes
// its reminders for its current version. It is called after the change committed and must
// be idempotent. Nothing is needed after a cancel: the store cancels the pending reminders
// of older versions, or of a cancelled appointment, in the transaction that moves or
// cancels it, so a failed call never lets a stale reminder go; it is logged, and the
// change stands.
type Reminders interface {
	Schedule(ctx context.Context, id AppointmentID) error
}
