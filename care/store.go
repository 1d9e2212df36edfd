package care

import "context"

// The stores below are what the flows, workers and API need from persistence. store/
// implements them over PostgreSQL. Absent records are ENOTFOUND, constraint violations
// ECONFLICT or EINVALID; no driver error crosses this line unwrapped.

// PersonStore keeps people.
type PersonStore interface {
	// CreatePerson stores p and sets its ID and timestamps; a phone already registered is ECONFLICT.
	CreatePerson(ctx context.Context, p *Person) error
	Person(ctx context.Context, id PersonID) (*Person, error)
}

// StaffStore keeps communes and the staff who work in them.
type StaffStore interface {
	CreateCommune(ctx context.Context, c *Commune) error
	Commune(ctx context.Context, code CommuneCode) (*Commune, error)
	SetDutyOfficer(ctx context.Context, code CommuneCode, id ManagerID) error
	CreateManager(ctx context.Context, m *CaseManager) error
	Manager(ctx context.Context, id ManagerID) (*CaseManager, error)
	ManagerByPhone(ctx context.Context, phone Phone) (*CaseManager, error)
	// CommuneCaseManager returns the active case manager who takes the commune's new cases
	// (the one with the fewest open cases).
	CommuneCaseManager(ctx context.Context, code CommuneCode) (*CaseManager, error)
}

// CaseStore keeps cases and what the five steps record.
type CaseStore interface {
	// OpenCase stores c at step 1; a person with an open case already is ECONFLICT.
	OpenCase(ctx context.Context, c *Case) error
	Case(ctx context.Context, id CaseID) (*Case, error)
	// OpenCaseOf returns the person's open (not closed) case.
	OpenCaseOf(ctx context.Context, id PersonID) (*Case, error)
	CaseHistory(ctx context.Context, id CaseID) ([]CaseTransition, error)
	RecordAssessment(ctx context.Context, a *Assessment) error
	LatestAssessment(ctx context.Context, id CaseID) (*Assessment, error)
	// CreatePlan stores a draft plan with its services; it replaces the case's plan on its
	// way to approval, if any, never the plan in force.
	CreatePlan(ctx context.Context, p *SupportPlan) error
	// CurrentPlan returns the plan in force (approved) or, before any approval, the one on its way.
	CurrentPlan(ctx context.Context, id CaseID) (*SupportPlan, error)
	// PendingPlan returns the plan on its way to approval (draft, submitted or returned).
	PendingPlan(ctx context.Context, id CaseID) (*SupportPlan, error)
}

// AppointmentStore keeps appointments.
type AppointmentStore interface {
	CreateAppointment(ctx context.Context, a *Appointment) error
	Appointment(ctx context.Context, id AppointmentID) (*Appointment, error)
}

// CheckInStore keeps check-in schedules and check-ins.
type CheckInStore interface {
	CreateSchedule(ctx context.Context, s *CheckInSchedule) error
	Schedule(ctx context.Context, id ScheduleID) (*CheckInSchedule, error)
}

// HelpStore keeps help requests.
type HelpStore interface {
	HelpRequest(ctx context.Context, id HelpRequestID) (*HelpRequest, error)
}

// EscalationStore keeps escalations.
type EscalationStore interface {
	Escalation(ctx context.Context, id EscalationID) (*Escalation, error)
}

// Store is every store together.
type Store interface {
	PersonStore
	StaffStore
	CaseStore
	AppointmentStore
	CheckInStore
	HelpStore
	EscalationStore
}
