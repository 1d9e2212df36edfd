package dialog

import (
	"context"
	"time"

	"github.com/caseline/caseline/care"
)

// Turns opens one turn on a dialog session: store implements it over PostgreSQL so that flows
// never see SQL. A turn is one transaction: BeginTurn locks (or creates) the session row and
// loads everything a common turn needs in one round trip; Commit writes the new state, the
// message log and any records in one more.
type Turns interface {
	BeginTurn(ctx context.Context, req TurnRequest) (Turn, error)
}

// Turn is one open transaction on a locked dialog session. Exactly one of Commit or Rollback
// ends it; Rollback after Commit is a no-op.
type Turn interface {
	// Facts returns what BeginTurn loaded.
	Facts() Facts
	// Known reports whether a person is registered with phone.
	Known(ctx context.Context, phone care.Phone) (bool, error)
	// Commune finds a commune by its code or its name.
	Commune(ctx context.Context, q CommuneQuery) (care.Commune, bool, error)
	// Plan loads what "my plan" reads out for a person's case.
	Plan(ctx context.Context, person care.PersonID, c care.CaseID, now time.Time) (PlanView, error)
	// Register stores a person and opens their case at step 1 with the commune's case
	// manager (the one with the fewest open cases). A phone registered already comes back
	// with Registered.Existing set and nothing written.
	Register(ctx context.Context, r Registration) (Registered, error)
	// RequestHelp stores a help request and its escalation (or attaches it to the open
	// need_help escalation of r.CheckIn), and says whose ladder the escalation goes up, as
	// the escalation worker will find it.
	RequestHelp(ctx context.Context, r HelpFiling) (HelpFiled, error)
	// Reach returns the first person on the escalation ladder of case c in commune (c 0 and
	// commune "" for an unregistered caller: the on-call roster), and whose ladder it is;
	// "" and care.RouteNobody when nobody stands on it.
	Reach(ctx context.Context, c care.CaseID, commune care.CommuneCode) (care.Phone, care.EscalationRoute, error)
	// Escalation locks escalation id and tells whether manager may acknowledge it.
	Escalation(ctx context.Context, id care.EscalationID, manager care.ManagerID, commune care.CommuneCode) (AckCheck, error)
	// Commit writes o and commits.
	Commit(ctx context.Context, o Outcome) error
	// Rollback abandons the turn.
	Rollback(ctx context.Context)
}

// CommuneQuery is what a caller typed to name a commune, as the engine normalised it.
type CommuneQuery struct {
	// Text is the text as typed, trimmed: compared with the communes' codes.
	Text string
	// Plain is the text in lower case without diacritics, spaces folded, without a leading
	// "xa", "phuong" or "thi tran": compared with the communes' names stripped the same way.
	Plain string
}

// TurnRequest names the session a turn opens and what to load with it.
type TurnRequest struct {
	Channel  care.Channel
	Key      string
	Phone    care.Phone
	Provider care.Provider
	// ReplyKey is the idempotency key of this turn's reply row: a turn whose reply row
	// exists already is a duplicate (Facts.Duplicate).
	ReplyKey string
	Now      time.Time
	// CheckIn and Reminder pick the check-in or reminder an outbound call is about; zero
	// loads the person's newest one waiting for an answer.
	CheckIn  care.CheckInID
	Reminder care.ReminderID
	// PreviousSince, when set, loads the phone's newest unfinished USSD session under
	// another key updated since then (a dropped session to resume).
	PreviousSince time.Time
}

// Session is a dialog session as a turn found it.
type Session struct {
	ID        int64
	Flow      string
	State     string
	Vars      map[string]string
	Language  care.Language
	Version   int
	UpdatedAt time.Time
	Created   bool
}

// PersonFacts is what a turn knows about a registered caller and their open case.
type PersonFacts struct {
	ID           care.PersonID
	Name         string
	Commune      care.CommuneCode
	Language     care.Language
	Diacritics   bool
	PINHash      string
	Status       care.PersonStatus
	CaseID       care.CaseID // 0 without an open case
	CaseStep     care.CaseStep
	ManagerName  string
	ManagerPhone care.Phone
	// Sex and BirthYear (0 unknown) decide the priority of the person's help requests.
	Sex       care.Sex
	BirthYear int
	// PINFailures counts wrong PINs in a row; PINLockedUntil ends the last lockout.
	PINFailures    int
	PINLockedUntil *time.Time
}

// CaredFor is the person a consenting caregiver answers a check-in for.
type CaredFor struct {
	ID        care.PersonID
	Name      string
	Commune   care.CommuneCode
	CaseID    care.CaseID // 0 without an open case
	Sex       care.Sex
	BirthYear int
}

// ManagerFacts is set when the caller's phone is an active staff member's.
type ManagerFacts struct {
	ID       care.ManagerID
	Name     string
	Commune  care.CommuneCode
	Language care.Language
}

// CheckInFacts is a check-in waiting for the caller's answer.
type CheckInFacts struct {
	ID care.CheckInID
	// AskedAt is when the question went out: the due time, or the retry time once retried.
	AskedAt time.Time
	// For is set when the caller is not the person asked but their consenting caregiver
	// (whose number a retried check-in may have reached): the caregiver's 1 or 2 answers it.
	// A caller's own check-in comes first.
	For *CaredFor
}

// ReminderFacts is a sent appointment reminder waiting for the caller's answer.
type ReminderFacts struct {
	ID            care.ReminderID
	AppointmentID care.AppointmentID
	At            time.Time
	Place         string
	SentAt        time.Time
}

// Facts is what BeginTurn loads in its one round trip.
type Facts struct {
	Session Session
	// Duplicate is the reply already given to this turn's ReplyKey, as Outcome.Reply stored
	// it; nil when this turn is new.
	Duplicate []byte
	Person    *PersonFacts
	Manager   *ManagerFacts
	CheckIn   *CheckInFacts
	Reminder  *ReminderFacts
	// Previous is a dropped USSD session of the same phone (see TurnRequest.PreviousSince).
	Previous *Session
}

// PlanView is what "my plan" reads out.
type PlanView struct {
	NextAt    *time.Time
	NextPlace string
	Services  []ServiceView
	// Closed is set, for a person without an open case, when a case of theirs was closed.
	Closed bool
}

// ServiceView is one service of a support plan.
type ServiceView struct {
	Description string
	Status      care.ServiceStatus
}

// Registration is what the register flow collected.
type Registration struct {
	Phone        care.Phone
	Name         string
	Commune      care.CommuneCode
	Language     care.Language
	Channel      care.Channel
	RegisteredBy care.Phone    // the caller, when registering someone else
	Relation     care.Relation // how the caller is related to them
	Needs        []care.NeedArea
	Now          time.Time
}

// Registered is what Register stored.
type Registered struct {
	Existing      bool
	PersonID      care.PersonID
	CaseID        care.CaseID // 0 when the commune has no active case manager
	ManagerID     care.ManagerID
	ManagerPhone  care.Phone
	ManagerLang   care.Language
	ManagerActive bool
	// Route, when no staff of the commune can take the case, is whose ladder the
	// registration's "unassigned" escalation goes up: the on-call roster's, or nobody's.
	Route care.EscalationRoute
}

// HelpFiling is a help request and the escalation that goes with it.
type HelpFiling struct {
	PersonID    care.PersonID
	CaseID      care.CaseID
	Phone       care.Phone
	Commune     care.CommuneCode
	Category    care.HelpCategory
	Description string
	InDanger    bool
	Channel     care.Channel
	// CheckIn, when set, attaches the request to that check-in's open need_help escalation.
	CheckIn     care.CheckInID
	Now         time.Time
	NextLevelAt time.Time
	// Unfinished marks a request the caller began and dropped: set only by the workers'
	// report of such a flow, never by a conversation.
	Unfinished bool
	// Origin, when set, names what the request came from outside a conversation (a call cut
	// off by an outage, say): a request of the same origin is filed once.
	Origin string
	// Priority is the person's (a child, a woman): with Category and InDanger it decides
	// whether the escalation goes up the urgent ladder (care.Priority.Urgent).
	Priority care.Priority
	// Session, when set (with Origin), is the dialog session that holds this request begun
	// (flows.PendingHelp): filing it clears the session's mark in the same transaction, so the
	// workers do not report it again as unfinished; a mark cleared already (the workers
	// reported it) means it was filed, and nothing is filed twice.
	Session int64
}

// HelpFiled is what RequestHelp stored.
type HelpFiled struct {
	HelpRequestID care.HelpRequestID
	EscalationID  care.EscalationID
	// Urgent is set when the escalation goes up the urgent ladder (its SLA is the urgent one).
	Urgent bool
	// Route is whose ladder the escalation goes up: the commune's staff, the on-call roster,
	// or nobody's (care.RouteNobody: it is saved and counted as unrouted, nobody is told).
	Route care.EscalationRoute
}

// AckCheck says whether a staff member may acknowledge an escalation.
type AckCheck struct {
	Found   bool
	Status  care.EscalationStatus
	Allowed bool // the escalation is in their commune or they were notified of it
}

// Outcome is everything a turn writes when it commits.
type Outcome struct {
	Channel  care.Channel
	Provider care.Provider
	Phone    care.Phone
	Flow     string
	State    string
	Vars     map[string]string
	Language care.Language
	Version  int
	// The message log: the inbound turn and the reply (stored with the whole reply, encoded
	// by the engine, so a duplicate gets it back in Facts.Duplicate).
	PersonID    care.PersonID
	ProviderID  string
	Inbound     string
	Reply       []byte
	ReplyBody   string
	ReplyStatus care.MessageStatus
	ReplyKey    string
	Now         time.Time
	Writes      Writes
	// HelpPending is set while the session rests in the help flow with a category chosen and
	// nothing filed: dropped now, it is reported unfinished once it can no longer be continued.
	HelpPending bool
}

// Writes are the records a step changes besides the session and the message log.
type Writes struct {
	PersonLanguage care.Language     // "" leaves it
	PersonStatus   care.PersonStatus // "" leaves it
	CheckIn        *CheckInAnswer
	Reminder       *ReminderAnswer
	Escalation     *NewEscalation
	Ack            *Acknowledgement
	Queue          []OutboundSMS
	// FinishSession marks a resumed USSD session as finished so it is not offered again.
	FinishSession int64
	// PIN records a PIN attempt on the caller's record (counted across channels).
	PIN *PINAttempt
}

// PINAttempt records a PIN typed: a right one clears the count of wrong ones; a wrong one
// adds to it, and the care.PINAttempts-th in a row locks plan status for care.PINLockout
// from the turn's time (and starts the count again). The store counts in one statement, so
// wrong PINs typed at once on two channels are all counted.
type PINAttempt struct {
	Person care.PersonID
	OK     bool
}

// Empty reports whether w changes nothing.
func (w *Writes) Empty() bool {
	return w.PersonLanguage == "" && w.PersonStatus == "" && w.CheckIn == nil && w.Reminder == nil &&
		w.Escalation == nil && w.Ack == nil && len(w.Queue) == 0 && w.FinishSession == 0 && w.PIN == nil
}

// CheckInAnswer records a check-in's answer, if it is still open.
type CheckInAnswer struct {
	ID     care.CheckInID
	Status care.CheckInStatus
}

// ReminderAnswer records a reminder's answer.
type ReminderAnswer struct {
	ID     care.ReminderID
	Answer string
}

// NewEscalation opens an escalation at level 0.
type NewEscalation struct {
	Reason        care.EscalationReason
	Urgent        bool
	PersonID      care.PersonID
	CaseID        care.CaseID
	Commune       care.CommuneCode
	CheckInID     care.CheckInID
	AppointmentID care.AppointmentID
	NextLevelAt   time.Time
}

// Acknowledgement acknowledges an open escalation.
type Acknowledgement struct {
	ID care.EscalationID
	By care.ManagerID
}

// OutboundSMS queues an SMS for the workers to send.
type OutboundSMS struct {
	Phone          care.Phone
	PersonID       care.PersonID
	Body           string
	Provider       care.Provider
	IdempotencyKey string
}
