package care

import (
	"context"
	"strings"
	"time"
)

// This file holds the parts of a case's life beyond the five steps: closing for a reason,
// transfer to another commune, reopening, the periodic review, and the news each sends.

// CloseReason is why a case closed.
type CloseReason string

// Close reasons.
const (
	CloseGoalsMet    CloseReason = "goals_met"    // the plan's goals are met
	CloseDied        CloseReason = "died"         // the person died: nobody is told
	CloseMovedAway   CloseReason = "moved_away"   // the person moved out of the service's reach
	CloseDeclined    CloseReason = "declined"     // the person declined further support
	CloseLostContact CloseReason = "lost_contact" // nobody can reach the person any more
	CloseTransferred CloseReason = "transferred"  // another service took the case over
	CloseOther       CloseReason = "other"        // anything else, said in a note
)

// CloseReasons lists every close reason.
var CloseReasons = []CloseReason{CloseGoalsMet, CloseDied, CloseMovedAway, CloseDeclined, CloseLostContact,
	CloseTransferred, CloseOther}

// Valid reports whether r is a known close reason.
func (r CloseReason) Valid() bool {
	for _, x := range CloseReasons {
		if x == r {
			return true
		}
	}
	return false
}

// TellsPerson reports whether closing for r tells the person: always, except after a death.
func (r CloseReason) TellsPerson() bool { return r != CloseDied }

// MaxNoteRunes is the longest note a close, a transfer or a returned plan may carry.
const MaxNoteRunes = 1000

// Closure is why and how a case closes: a reason, and a note (required for CloseOther).
type Closure struct {
	Reason CloseReason
	Note   string
}

// Validate checks the closure: a known reason, a note for "other", not too long a note.
func (c Closure) Validate() error {
	if !c.Reason.Valid() {
		return FieldError("reason", "reason must be one of goals_met, died, moved_away, declined, lost_contact, transferred, other")
	}
	if c.Reason == CloseOther && strings.TrimSpace(c.Note) == "" {
		return FieldError("note", "closing for another reason needs a note saying which")
	}
	if len([]rune(c.Note)) > MaxNoteRunes {
		return FieldError("note", "note is longer than %d characters", MaxNoteRunes)
	}
	return nil
}

// Close closes the case from whatever step it is at, for cl's reason; a closed case is
// EINVALID. The transition records the reason and the note.
func (c *Case) Close(ctx context.Context, cl Closure, by ManagerID, at time.Time) (CaseTransition, error) {
	if err := cl.Validate(); err != nil {
		return CaseTransition{}, err
	}
	tr, err := c.move(ctx, EventClose, CaseFacts{}, by, at, strings.TrimSpace(cl.Note))
	if err != nil {
		return CaseTransition{}, err
	}
	c.CloseReason, tr.Reason = cl.Reason, cl.Reason
	return tr, nil
}

// Transfer moves the open case to commune to and case manager m, who must be an active
// staff member of that commune; the transition records both communes and the manager. A
// transfer to where the case already is, or of a closed case, is EINVALID.
func (c *Case) Transfer(to *CaseManager, by ManagerID, at time.Time, note string) (CaseTransition, error) {
	switch {
	case c.Step == StepClosed:
		return CaseTransition{}, FieldError("step", "a closed case cannot be transferred; reopen it in the new commune")
	case to == nil || !to.Active || to.Commune == "":
		return CaseTransition{}, FieldError("manager_id", "not an active staff member of a commune")
	case to.Commune == c.Commune && to.ID == c.ManagerID:
		return CaseTransition{}, FieldError("commune", "the case is there already")
	case len([]rune(note)) > MaxNoteRunes:
		return CaseTransition{}, FieldError("note", "note is longer than %d characters", MaxNoteRunes)
	}
	tr := CaseTransition{CaseID: c.ID, Event: EventTransfer, From: c.Step, To: c.Step, By: by, At: at, Note: note,
		FromCommune: c.Commune, ToCommune: to.Commune, ToManager: to.ID}
	c.Commune, c.ManagerID, c.UpdatedAt = to.Commune, to.ID, at
	return tr, nil
}

// ReviewInterval is how long after entering monitoring, or after a review, the next
// periodic review falls due: a number of calendar months (REVIEW_INTERVAL), so a case that
// came to monitoring on 31 January is reviewed on 30 April, not a fixed count of days later.
type ReviewInterval struct {
	Months int
}

// DefaultReviewInterval is three calendar months.
var DefaultReviewInterval = ReviewInterval{Months: 3}

// After returns the review date an interval after t, in loc: the same day of the month,
// or the month's last day when it has no such day, at local midnight.
func (iv ReviewInterval) After(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	y, m := lt.Year(), lt.Month()+time.Month(iv.Months)
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, loc).Day()
	return time.Date(y, m, min(lt.Day(), last), 0, 0, 0, 0, loc).UTC()
}

// ReviewFilter says which cases a list keeps by their review date.
type ReviewFilter string

// Review filters. A review is due once its date is within ReviewSoon of now, and overdue
// once its date has passed.
const (
	ReviewAny     ReviewFilter = ""
	ReviewDue     ReviewFilter = "due"
	ReviewOverdue ReviewFilter = "overdue"
)

// ReviewSoon is how far ahead a review counts as due.
const ReviewSoon = 7 * 24 * time.Hour

// Valid reports whether f is a known filter.
func (f ReviewFilter) Valid() bool { return f == ReviewAny || f == ReviewDue || f == ReviewOverdue }

// CaseFilter narrows a list of cases.
type CaseFilter struct {
	Communes  []CommuneCode // nil means every commune
	Step      CaseStep      // "" means any open step; StepClosed lists closed cases
	ManagerID ManagerID     // 0 means anyone's
	Review    ReviewFilter
	Now       time.Time // what "due" and "overdue" are measured from
}

// ClosedNews is a closed case, for telling the person.
type ClosedNews struct {
	Case   Case
	Person Person
}

// TransferNews is a transferred case, for telling both case managers.
type TransferNews struct {
	Case   Case
	Person Person
	From   CaseManager
	To     CaseManager
	At     time.Time
}

// PlanEvent is what happened to a support plan that someone is told of.
type PlanEvent string

// Plan events.
const (
	PlanEventSubmitted PlanEvent = "submitted" // the approvers are told a plan waits
	PlanEventApproved  PlanEvent = "approved"  // the case manager is told
	PlanEventReturned  PlanEvent = "returned"  // the case manager is told, with the reason
)

// PlanNews is a plan event and the staff to tell.
type PlanNews struct {
	Event  PlanEvent
	Plan   SupportPlan
	Case   Case
	Person Person
	To     []CaseManager
	At     time.Time
}

// DueNews is a review or a planned service falling due, for telling the case manager.
type DueNews struct {
	Case    Case
	Person  Person
	Manager CaseManager
	// Service is the planned service due; nil for a periodic review.
	Service *PlanService
}

// Announcer words what the case life cycle tells people and staff, as messages for the
// outbox; the store writes them in the transaction of the change. Keys make each message
// once: the same news gives the same keys.
type Announcer interface {
	Closed(ClosedNews) []Outgoing
	Transferred(TransferNews) []Outgoing
	Plan(PlanNews) []Outgoing
	Due(DueNews) []Outgoing
}
