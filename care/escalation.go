package care

import "time"

// EscalationID identifies an escalation; its number is the code case managers acknowledge
// ("XN 4821").
type EscalationID int64

// EscalationReason is why an escalation opened.
type EscalationReason string

// Escalation reasons.
const (
	ReasonCheckInMissed EscalationReason = "checkin_missed" // a check-in went unanswered
	ReasonHelpRequest   EscalationReason = "help_request"   // someone asked for help
	ReasonNeedHelp      EscalationReason = "need_help"      // a check-in was answered "I need help"
	ReasonCannotCome    EscalationReason = "cannot_come"    // a reminder was answered "I cannot come"
	ReasonUnreachable   EscalationReason = "unreachable"    // the person could not be reached
	ReasonOptedOut      EscalationReason = "opted_out"      // a person with an open case stopped all messages
	ReasonUnassigned    EscalationReason = "unassigned"     // a person registered where no staff can take their case
)

// Valid reports whether r is a known reason.
func (r EscalationReason) Valid() bool {
	switch r {
	case ReasonCheckInMissed, ReasonHelpRequest, ReasonNeedHelp, ReasonCannotCome, ReasonUnreachable, ReasonOptedOut,
		ReasonUnassigned:
		return true
	}
	return false
}

// EscalationLevel is a rung of the ladder.
type EscalationLevel int

// The ladder: the case manager first, then the supervisor, then the commune duty officer.
// When the commune has nobody on it (or is unknown), the service-wide on-call roster stands
// on the ladder instead, its members in turn.
const (
	LevelCaseManager EscalationLevel = 0
	LevelSupervisor  EscalationLevel = 1
	LevelDutyOfficer EscalationLevel = 2
)

// TopLevel is the last rung.
const TopLevel = LevelDutyOfficer

// EscalationRoute says whose ladder an escalation goes up: the commune's staff, the
// service-wide on-call roster, or nobody's (no one can be told; RouteNobody).
type EscalationRoute string

// Escalation routes.
const (
	RouteCommune EscalationRoute = "commune" // the case manager, their supervisor, the commune duty officer
	RouteRoster  EscalationRoute = "roster"  // the on-call duty officers with no commune
	RouteNobody  EscalationRoute = ""        // nobody to tell: counted as unrouted
)

// EscalationStatus is where an escalation stands.
type EscalationStatus string

// Escalation statuses.
const (
	EscalationOpen         EscalationStatus = "open"
	EscalationAcknowledged EscalationStatus = "acknowledged" // someone took it: the ladder stops
	EscalationResolved     EscalationStatus = "resolved"
)

// Valid reports whether s is a known status.
func (s EscalationStatus) Valid() bool {
	return s == EscalationOpen || s == EscalationAcknowledged || s == EscalationResolved
}

// Escalation asks a person on the ladder to act; unacknowledged within its SLA it climbs.
// It is written before anyone is notified and never lost.
type Escalation struct {
	ID            EscalationID
	Reason        EscalationReason
	Urgent        bool
	PersonID      PersonID // 0 for an unregistered caller's help request
	CaseID        CaseID   // 0 when there is no case yet
	Commune       CommuneCode
	HelpRequestID HelpRequestID
	CheckInID     CheckInID
	AppointmentID AppointmentID
	Level         EscalationLevel
	Status        EscalationStatus
	// NextLevelAt is when it climbs unless acknowledged; nil at the top of the ladder.
	NextLevelAt *time.Time
	// Notified is false until the current level has been told.
	Notified   bool
	AckedBy    ManagerID
	AckedAt    *time.Time
	ResolvedBy ManagerID
	ResolvedAt *time.Time
	Outcome    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// SLA is how long each level has to acknowledge an escalation.
type SLA struct {
	Urgent time.Duration // default 15 minutes
	Normal time.Duration // default 24 hours
}

// DefaultSLA is PRODUCT.md's: urgent 15 minutes, normal 24 hours.
var DefaultSLA = SLA{Urgent: 15 * time.Minute, Normal: 24 * time.Hour}

// For returns the SLA for an escalation.
func (s SLA) For(urgent bool) time.Duration {
	if urgent {
		return s.Urgent
	}
	return s.Normal
}
