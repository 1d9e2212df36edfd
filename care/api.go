package care

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// TokenID identifies an API token.
type TokenID int64

// APIToken is a staff member's bearer token for the case-manager API. Only a SHA-256 hash
// of the token is stored; the plaintext is shown once, when the token is created.
type APIToken struct {
	ID        TokenID
	ManagerID ManagerID
	Label     string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// TokenPrefix starts every API token, so a leaked one is easy to recognise and search for.
const TokenPrefix = "cl_"

// NewAPIToken returns a fresh random token (32 bytes, hex, with TokenPrefix) and its hash.
func NewAPIToken() (plaintext, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	plaintext = TokenPrefix + hex.EncodeToString(b)
	return plaintext, HashAPIToken(plaintext), nil
}

// HashAPIToken returns the stored form of a token: the hex SHA-256 of its plaintext. A
// token of 32 random bytes needs no salt or stretching.
func HashAPIToken(plaintext string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(plaintext)))
	return hex.EncodeToString(sum[:])
}

// Staff is an authenticated staff member and the communes their role lets them see.
type Staff struct {
	CaseManager
	// TokenID is the token they authenticated with.
	TokenID TokenID
	// Team lists the communes of the staff member and of everyone they supervise.
	Team []CommuneCode
}

// AllCommunes reports whether the staff member sees every commune (admins do).
func (s *Staff) AllCommunes() bool { return s.Role == RoleAdmin }

// Communes returns the communes the staff member may see; nil means every commune.
// Supervisors see their team's communes, everyone else their own.
func (s *Staff) Communes() []CommuneCode {
	switch s.Role {
	case RoleAdmin:
		return nil
	case RoleSupervisor:
		return s.Team
	}
	return []CommuneCode{s.Commune}
}

// Sees reports whether the staff member may see records of commune c.
func (s *Staff) Sees(c CommuneCode) bool {
	if s.AllCommunes() {
		return true
	}
	for _, x := range s.Communes() {
		if x == c {
			return true
		}
	}
	return false
}

// MayApprove reports whether the staff member may approve support plans.
func (s *Staff) MayApprove() bool { return s.Role == RoleApprover || s.Role == RoleAdmin }

// AuditEntry is one row of the audit log: who did what to which record, when. Detail
// holds identifiers and enumerated values only, never free text such as names, notes or
// descriptions, which may be sensitive.
type AuditEntry struct {
	ID       int64
	ActorID  ManagerID // 0 for the system (e.g. a token created from the command line)
	Action   string
	Entity   string
	EntityID int64
	Detail   map[string]any
	At       time.Time
}

// Audit actions: what the API (and the token commands) write to the audit log.
const (
	AuditPersonCreate       = "person.create"
	AuditPersonUpdate       = "person.update"
	AuditPersonSetPIN       = "person.pin_set"
	AuditPersonClearPIN     = "person.pin_clear"
	AuditPersonClearPINLock = "person.pin_unlock"
	AuditCaseOpen           = "case.open"
	AuditCaseMove           = "case.move"
	AuditAssessmentRecord   = "assessment.record"
	AuditPlanCreate         = "plan.create"
	AuditPlanApprove        = "plan.approve"
	AuditPlanSubmit         = "plan.submit"
	AuditPlanReturn         = "plan.return"
	AuditCaseClose          = "case.close"
	AuditCaseReopen         = "case.reopen"
	AuditCaseTransfer       = "case.transfer"
	AuditCaseReview         = "case.review"
	AuditServiceStatus      = "service.status"
	AuditAppointmentCreate  = "appointment.create"
	AuditAppointmentMove    = "appointment.move"
	AuditAppointmentCancel  = "appointment.cancel"
	AuditScheduleCreate     = "schedule.create"
	AuditScheduleDeactivate = "schedule.deactivate"
	AuditHelpResolve        = "help_request.resolve"
	AuditEscalationAck      = "escalation.acknowledge"
	AuditEscalationResolve  = "escalation.resolve"
	AuditTokenCreate        = "token.create"
	AuditTokenRevoke        = "token.revoke"
	AuditMessageSend        = "message.send"
	AuditCaseReassign       = "case.reassign"
)

// Page asks for one page of a list: at most Limit items after Cursor (an opaque string a
// previous page returned as its Next; "" for the first page).
type Page struct {
	Limit  int
	Cursor string
}

// Paging limits of list endpoints.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 200
)

// PersonFilter narrows a list of people.
type PersonFilter struct {
	// Communes limits the list to these communes; nil means every commune.
	Communes []CommuneCode
	// Query, when set, keeps people whose name contains it (case and diacritics ignored)
	// or whose phone number contains its digits.
	Query string
}

// CheckInFilter picks the check-ins of a person or of a case (one of the two).
type CheckInFilter struct {
	PersonID PersonID
	CaseID   CaseID
}

// HelpFilter narrows a list of help requests.
type HelpFilter struct {
	Communes []CommuneCode // nil means every commune
	Status   HelpStatus    // "" means any
}

// EscalationFilter narrows a list of escalations.
type EscalationFilter struct {
	Communes []CommuneCode    // nil means every commune
	Status   EscalationStatus // "" means open
}

// PersonChange edits a person for ChangePersonAs and says what it did: the audit action
// (AuditPersonUpdate, AuditPersonSetPIN or AuditPersonClearPIN) and the names, never the
// values, of the fields it changed.
type PersonChange func(p *Person) (action string, fields []string, err error)

// APIStore is what the case-manager API needs from persistence besides Store: scoped lists,
// tokens, and writes that record their audit entry in the same transaction as the change.
// Every *As method takes the acting staff member.
type APIStore interface {
	Store

	// StaffByToken returns the active staff member holding the unrevoked token; any other
	// token is EUNAUTHORIZED.
	StaffByToken(ctx context.Context, plaintext string) (*Staff, error)

	// Lists return one page and the cursor of the next ("" after the last page).
	ListPersons(ctx context.Context, f PersonFilter, pg Page) ([]*Person, string, error)
	ListMessages(ctx context.Context, id PersonID, pg Page) ([]*Message, string, error)
	ListHelpRequests(ctx context.Context, f HelpFilter, pg Page) ([]*HelpRequest, string, error)
	// ListEscalations orders by SLA: the soonest next_level_at first, urgent before normal.
	ListEscalations(ctx context.Context, f EscalationFilter, pg Page) ([]*Escalation, string, error)
	ListSchedules(ctx context.Context, id CaseID, pg Page) ([]*CheckInSchedule, string, error)
	// ListCheckIns returns check-ins with their answers, newest due first.
	ListCheckIns(ctx context.Context, f CheckInFilter, pg Page) ([]*CheckIn, string, error)

	CreatePersonAs(ctx context.Context, by ManagerID, p *Person) error
	// ChangePersonAs loads person id under a row lock, lets change edit it, and saves it
	// with its audit entry, all in one transaction, so concurrent changes never overwrite
	// each other. change returns the audit action and the names of the fields it changed;
	// an error from it rolls everything back and is returned unwrapped by the store.
	ChangePersonAs(ctx context.Context, by ManagerID, id PersonID, change PersonChange) (*Person, error)
	OpenCaseAs(ctx context.Context, by ManagerID, c *Case) error
	MoveCaseAs(ctx context.Context, by ManagerID, id CaseID, ev CaseEvent, note string) (*Case, error)
	RecordAssessmentAs(ctx context.Context, by ManagerID, a *Assessment) error
	CreatePlanAs(ctx context.Context, by ManagerID, p *SupportPlan) error
	// SubmitPlanAs sends a draft or returned plan to the approver; the commune's approvers
	// are told by tell's messages, written in the same transaction.
	SubmitPlanAs(ctx context.Context, by ManagerID, id PlanID, tell Announcer) (*SupportPlan, error)
	// ApprovePlanAs approves a submitted plan as staff member by (an approver or admin,
	// EUNAUTHORIZED otherwise); it replaces the plan in force; the case manager is told.
	ApprovePlanAs(ctx context.Context, by ManagerID, id PlanID, tell Announcer) (*SupportPlan, error)
	// ReturnPlanAs sends a submitted plan back with a reason; the case manager is told.
	ReturnPlanAs(ctx context.Context, by ManagerID, id PlanID, reason string, tell Announcer) (*SupportPlan, error)

	// ListCases returns cases by id, or by review date when filtering by review.
	ListCases(ctx context.Context, f CaseFilter, pg Page) ([]*Case, string, error)
	// CloseCaseAs closes a case from any step for a reason, in one transaction: the
	// appointments and their pending reminders are cancelled, check-in schedules stopped,
	// check-ins not answered cancelled, check-in escalations resolved (help requests stay
	// open), and the person told in their channel (tell's messages) unless they died.
	CloseCaseAs(ctx context.Context, by ManagerID, id CaseID, cl Closure, tell Announcer) (*Case, error)
	// ReopenCaseAs opens a new case for the person of closed case id, remembering it; the
	// case manager is manager, or 0 for the old one if still active there, else the
	// commune's least busy. The old case and its history stay as they were.
	ReopenCaseAs(ctx context.Context, by ManagerID, id CaseID, manager ManagerID) (*Case, error)
	// TransferCaseAs moves an open case and its person to another commune and case manager
	// (manager 0: that commune's least busy), keeping its history; both case managers are told.
	TransferCaseAs(ctx context.Context, by ManagerID, id CaseID, commune CommuneCode, manager ManagerID, note string, tell Announcer) (*Case, error)
	// ReviewCaseAs records a periodic review of a case in monitoring and sets the next one.
	ReviewCaseAs(ctx context.Context, by ManagerID, id CaseID, note string) (*Case, error)
	SetServiceStatusAs(ctx context.Context, by ManagerID, id ServiceID, st ServiceStatus) error
	CreateAppointmentAs(ctx context.Context, by ManagerID, a *Appointment) error
	MoveAppointmentAs(ctx context.Context, by ManagerID, id AppointmentID, at time.Time, place string) (*Appointment, error)
	CancelAppointmentAs(ctx context.Context, by ManagerID, id AppointmentID) error
	CreateScheduleAs(ctx context.Context, by ManagerID, sc *CheckInSchedule) error
	DeactivateScheduleAs(ctx context.Context, by ManagerID, id ScheduleID) (*CheckInSchedule, error)
	ResolveHelpRequestAs(ctx context.Context, by ManagerID, id HelpRequestID) (*HelpRequest, error)
	AcknowledgeEscalationAs(ctx context.Context, by ManagerID, id EscalationID, at time.Time) (*Escalation, error)
	ResolveEscalationAs(ctx context.Context, by ManagerID, id EscalationID, outcome string, at time.Time) (*Escalation, error)
	// SendSMSAs queues m for its person, composed by compose, as an outbound message
	// written by st, audited, in one transaction. A person outside st's communes is
	// ENOTFOUND, one who opted out ECONFLICT. A repeated m.Key returns the message the
	// first request wrote.
	SendSMSAs(ctx context.Context, st *Staff, m StaffSMS, compose SMSComposer) (*Message, error)
	// ReassignCaseAs hands open case id to case manager to, an active staff member of the
	// case's commune (anyone else is EINVALID on "manager_id"; the current one ECONFLICT),
	// audited. The case's open escalations still at the case manager's rung are told again,
	// to the new case manager.
	ReassignCaseAs(ctx context.Context, by ManagerID, id CaseID, to ManagerID) (*Case, error)
}
