package care

import "time"

// AppointmentID identifies an appointment.
type AppointmentID int64

// AppointmentStatus is where an appointment stands.
type AppointmentStatus string

// Appointment statuses.
const (
	AppointmentScheduled AppointmentStatus = "scheduled"
	AppointmentCancelled AppointmentStatus = "cancelled"
	AppointmentDone      AppointmentStatus = "done"
	AppointmentMissed    AppointmentStatus = "missed"
)

// Valid reports whether s is a known status.
func (s AppointmentStatus) Valid() bool {
	switch s {
	case AppointmentScheduled, AppointmentCancelled, AppointmentDone, AppointmentMissed:
		return true
	}
	return false
}

// Appointment is a meeting with a person: at a time and place, for a purpose.
type Appointment struct {
	ID       AppointmentID
	CaseID   CaseID
	PersonID PersonID
	At       time.Time
	Place    string
	Purpose  string
	Status   AppointmentStatus
	// Version grows with every move, so a reminder made for an older time can tell it is stale.
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ReminderID identifies one reminder of an appointment.
type ReminderID int64

// WorkStatus is the state of a piece of timed work (a reminder, a check-in message).
type WorkStatus string

// Work statuses.
const (
	WorkPending   WorkStatus = "pending"
	WorkDone      WorkStatus = "done"
	WorkCancelled WorkStatus = "cancelled"
)

// Reminder is one reminder of an appointment, due at a time, for one version of it.
type Reminder struct {
	ID            ReminderID
	AppointmentID AppointmentID
	Version       int           // the appointment version it was made for
	Offset        time.Duration // before the appointment, as configured (24h, 2h)
	DueAt         time.Time     // after quiet hours moved it earlier, if they did
	Status        WorkStatus
	Answer        string // "1" will come, "2" cannot come, "" none
}
