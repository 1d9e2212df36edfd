package care

import "time"

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
