package care

import "time"

// ScheduleID identifies a check-in schedule.
type ScheduleID int64

// CheckInSchedule says when a case's monitoring check-ins go out: weekly on a weekday at a
// local time, with a window to answer.
type CheckInSchedule struct {
	ID        ScheduleID
	CaseID    CaseID
	Weekday   time.Weekday
	Minute    int           // minutes after local midnight, e.g. 9*60 for 09:00
	Window    time.Duration // how long the person has to answer; default 48h
	Active    bool
	CreatedAt time.Time
}

// CheckInID identifies one check-in.
type CheckInID int64

// CheckInStatus is where one check-in stands.
type CheckInStatus string

// Check-in statuses.
const (
	CheckInPending   CheckInStatus = "pending"   // not sent yet
	CheckInSent      CheckInStatus = "sent"      // waiting for an answer
	CheckInRetried   CheckInStatus = "retried"   // asked again half-way
	CheckInFine      CheckInStatus = "fine"      // answered 1
	CheckInNeedHelp  CheckInStatus = "need_help" // answered 2
	CheckInMissed    CheckInStatus = "missed"    // no answer by the deadline: escalated
	CheckInCancelled CheckInStatus = "cancelled" // the schedule stopped
)

// Open reports whether the check-in still waits for an answer.
func (s CheckInStatus) Open() bool {
	return s == CheckInPending || s == CheckInSent || s == CheckInRetried
}

// CheckIn is one monitoring check-in: sent at DueAt, asked again at RetryAt, escalated at
// DeadlineAt unless answered.
type CheckIn struct {
	ID         CheckInID
	ScheduleID ScheduleID
	CaseID     CaseID
	PersonID   PersonID
	DueAt      time.Time
	RetryAt    time.Time
	DeadlineAt time.Time
	Status     CheckInStatus
	AnsweredAt *time.Time
}
