package care

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// The staff web console signs staff in with a one-time code sent by SMS to their phone and
// keeps them signed in with a session cookie. Codes and session ids are stored only as
// hashes (HashAPIToken: both are random, so an unsalted SHA-256 is enough).
const (
	// SignInCodeLife is how long a sign-in code works.
	SignInCodeLife = 10 * time.Minute
	// SignInCodeGap is the least time between two codes sent to one number, so nobody can
	// flood a staff member's phone by asking again and again.
	SignInCodeGap = time.Minute
	// SignInMaxFailures wrong codes in a row lock the number for SignInLock.
	SignInMaxFailures = 5
	// SignInLock is how long a number stays locked after too many wrong codes.
	SignInLock = 15 * time.Minute
	// SessionIdle ends a console session nobody used for this long.
	SessionIdle = 8 * time.Hour
)

// Audit actions of the console's sign-in. Their detail says the outcome (SignInOutcome).
const (
	AuditSignInCode = "console.code"     // a code was asked for
	AuditSignIn     = "console.sign_in"  // a code was tried
	AuditSignOut    = "console.sign_out" // a session was ended by its owner
)

// SignInOutcome is what became of one try at a code.
type SignInOutcome string

// Sign-in outcomes. Staff are told only "signed in", "wrong or expired code" or "locked".
const (
	SignInOK        SignInOutcome = "ok"
	SignInWrongCode SignInOutcome = "wrong_code" // no code, another code, or not staff
	SignInExpired   SignInOutcome = "expired"
	SignInLocked    SignInOutcome = "locked" // too many wrong codes: wait
	SignInSent      SignInOutcome = "sent"   // a code was queued for the number
	SignInNotStaff  SignInOutcome = "not_staff"
	SignInTooSoon   SignInOutcome = "too_soon" // a code went out less than SignInCodeGap ago
)

// NewSignInCode returns a random six-digit code.
func NewSignInCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// NewSessionID returns a fresh random session id (32 bytes, hex) and the hash to store.
func NewSessionID() (plaintext, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	plaintext = hex.EncodeToString(b)
	return plaintext, HashAPIToken(plaintext), nil
}

// SessionCSRF returns the anti-forgery token of a session: a hash of its id under another
// purpose, so a form can carry it while only the cookie's owner can compute it.
func SessionCSRF(sessionID string) string {
	sum := sha256.Sum256([]byte("csrf\x00" + sessionID))
	return hex.EncodeToString(sum[:])
}

// CodeRequest asks for a sign-in code to be sent to Phone. The store queues the SMS only
// when Phone is an active staff member's, in their language (Bodies by language), through
// Provider; otherwise it records the request alone, so both look the same from outside.
type CodeRequest struct {
	Phone    Phone
	CodeHash string
	Bodies   map[Language]string
	Provider Provider
}

// InboxItem is one line of a staff member's inbox: an escalation not yet resolved, with
// what the inbox shows beside it.
type InboxItem struct {
	Escalation
	PersonName string
	// Help is the help request the escalation is about, nil for other reasons.
	Help *HelpRequest
	// Told names whom the ladder told, level by level, oldest first.
	Told []string
	// AckedByName names who acknowledged it, "" while open.
	AckedByName string
}

// Safety reports whether the item is about someone's safety: an abuse report or a person in
// danger. The inbox puts these first.
func (i *InboxItem) Safety() bool {
	return i.Help != nil && (i.Help.Category.Sensitive() || i.Help.InDanger)
}

// PersonSearch narrows the people list of the console.
type PersonSearch struct {
	Communes []CommuneCode // nil means every commune
	// Text matches a part of the name (any case) or the phone number's digits.
	Text string
	Step CaseStep // "" means any, StepClosed those without an open case
	Need NeedArea // "" means any: a need of the latest assessment
	// Review keeps people whose case's periodic review is due or overdue at Now.
	Review ReviewFilter
	Now    time.Time
	Limit  int
}

// PersonRow is one line of the people list.
type PersonRow struct {
	Person
	CaseID CaseID   // 0 without an open case
	Step   CaseStep // "" without an open case
}

// PlanToApprove is a draft plan waiting in the approver's queue.
type PlanToApprove struct {
	Plan       SupportPlan
	PersonID   PersonID
	PersonName string
	Commune    CommuneCode
	AuthorName string
}

// CountBy is a count under a label (a step, a category, a flow state).
type CountBy struct {
	Key   string
	Count int
}

// CommuneReport is the monthly report of a set of communes, From inclusive to To exclusive.
type CommuneReport struct {
	From, To time.Time
	// NewCases and ClosedCases count cases opened and closed in the month.
	NewCases, ClosedCases int
	// CasesByStep counts the cases open at the report's making, by step.
	CasesByStep []CountBy
	// HelpByCategory counts the month's help requests by category.
	HelpByCategory []CountBy
	// Escalations is how many escalations the month opened; AckedInSLA how many of them were
	// acknowledged (or resolved) within their SLA.
	Escalations, AckedInSLA int
	// CheckInsDue counts the month's check-ins that closed (answered or missed); Answered
	// those answered.
	CheckInsDue, CheckInsAnswered int
	// USSDLeft counts USSD sessions that ended without finishing, by flow and state.
	USSDLeft []CountBy
	// VoiceLeft counts voice dialogs left in the middle of a flow, by flow and state.
	VoiceLeft []CountBy
}

// ConsoleStore is what the staff web console needs from persistence besides APIStore.
type ConsoleStore interface {
	APIStore

	// RequestSignInCode records a code for r.Phone and, when the number is an active staff
	// member's and no code went out within SignInCodeGap, queues its SMS, with an audit
	// entry, in one transaction. A locked number gets nothing. It returns what it did.
	RequestSignInCode(ctx context.Context, r CodeRequest) (SignInOutcome, error)
	// SignIn tries codeHash for phone: on success it stores a session of sessionHash and
	// returns its staff member; a wrong code counts towards the lock. Every try is audited.
	SignIn(ctx context.Context, phone Phone, codeHash, sessionHash string) (*Staff, SignInOutcome, error)
	// StaffBySession returns the staff member of a live session, keeping it alive; a
	// session unknown, ended or idle longer than SessionIdle is EUNAUTHORIZED.
	StaffBySession(ctx context.Context, sessionHash string) (*Staff, error)
	// SignOut ends the session, audited.
	SignOut(ctx context.Context, sessionHash string) error

	// Inbox lists the escalations of the communes that are not resolved: safety first,
	// then urgent, then by SLA.
	Inbox(ctx context.Context, communes []CommuneCode, limit int) ([]InboxItem, error)
	SearchPersons(ctx context.Context, f PersonSearch) ([]PersonRow, error)
	// LastClosedCaseOf returns the person's most recently closed case, for reopening it.
	LastClosedCaseOf(ctx context.Context, id PersonID) (*Case, error)
	PersonAppointments(ctx context.Context, id PersonID) ([]*Appointment, error)
	CaseCheckIns(ctx context.Context, id CaseID, limit int) ([]*CheckIn, error)
	PersonHelpRequests(ctx context.Context, id PersonID) ([]*HelpRequest, error)
	// ManagerNames returns the names of staff members by id.
	ManagerNames(ctx context.Context, ids []ManagerID) (map[ManagerID]string, error)
	// PlansToApprove lists draft plans of the communes, oldest first.
	PlansToApprove(ctx context.Context, communes []CommuneCode) ([]PlanToApprove, error)
	CommuneReport(ctx context.Context, communes []CommuneCode, from, to time.Time, sla SLA) (*CommuneReport, error)
}

// NextEvents lists the moves between steps a case at step s can make, in the life cycle's
// order, for a form to offer only those; closing, which needs a reason, is not among them.
func NextEvents(s CaseStep) []CaseEvent {
	var out []CaseEvent
	for _, e := range caseEvents {
		if e.Name != string(EventClose) && slices.Contains(e.Src, string(s)) {
			out = append(out, CaseEvent(e.Name))
		}
	}
	return out
}
