package care

import (
	"context"
	"errors"
	"time"

	"github.com/looplab/fsm"
)

// CaseID identifies a case.
type CaseID int64

// CaseStep is where a case stands in the five steps of Circular 01/2015/TT-BLĐTBXH, plus closed.
type CaseStep string

// The steps of a case, in order.
const (
	StepAssessment     CaseStep = "assessment"     // 1. collect information and assess needs
	StepPlanning       CaseStep = "planning"       // 2. build the support plan, have it approved
	StepImplementation CaseStep = "implementation" // 3. implement the plan
	StepMonitoring     CaseStep = "monitoring"     // 4. monitor and review
	StepEvaluation     CaseStep = "evaluation"     // 5. evaluate
	StepClosed         CaseStep = "closed"
)

// Number returns the step's number in the Circular (1 to 5; 6 for closed).
func (s CaseStep) Number() int {
	for i, x := range CaseSteps {
		if x == s {
			return i + 1
		}
	}
	return 0
}

// CaseSteps lists the steps in order.
var CaseSteps = []CaseStep{StepAssessment, StepPlanning, StepImplementation, StepMonitoring, StepEvaluation, StepClosed}

// Valid reports whether s is a known step.
func (s CaseStep) Valid() bool { return s.Number() != 0 }

// CaseEvent moves a case from one step to another.
type CaseEvent string

// Case events.
const (
	EventPlan      CaseEvent = "plan"      // assessment → planning, once needs are assessed
	EventImplement CaseEvent = "implement" // planning → implementation, once the plan is approved
	EventMonitor   CaseEvent = "monitor"   // implementation → monitoring
	EventRevise    CaseEvent = "revise"    // implementation or monitoring → planning: the plan changes
	EventEvaluate  CaseEvent = "evaluate"  // monitoring → evaluation
	EventReassess  CaseEvent = "reassess"  // evaluation → assessment: needs remain, start again
	EventClose     CaseEvent = "close"     // any open step → closed, for a CloseReason (see Case.Close)
	// The events below record what happens to a case without changing its step.
	EventTransfer CaseEvent = "transfer" // the case moves to another commune and case manager
	EventReopen   CaseEvent = "reopen"   // the first move of a case opened again after one closed
	EventReview   CaseEvent = "review"   // a periodic review in monitoring, setting the next one
)

// caseEvents is the life cycle: the only moves a case can make.
var caseEvents = fsm.Events{
	{Name: string(EventPlan), Src: []string{string(StepAssessment)}, Dst: string(StepPlanning)},
	{Name: string(EventImplement), Src: []string{string(StepPlanning)}, Dst: string(StepImplementation)},
	{Name: string(EventMonitor), Src: []string{string(StepImplementation)}, Dst: string(StepMonitoring)},
	{Name: string(EventRevise), Src: []string{string(StepImplementation), string(StepMonitoring)}, Dst: string(StepPlanning)},
	{Name: string(EventEvaluate), Src: []string{string(StepMonitoring)}, Dst: string(StepEvaluation)},
	{Name: string(EventReassess), Src: []string{string(StepEvaluation)}, Dst: string(StepAssessment)},
	{Name: string(EventClose), Src: []string{string(StepAssessment), string(StepPlanning), string(StepImplementation),
		string(StepMonitoring), string(StepEvaluation)}, Dst: string(StepClosed)},
}

// CaseEvents lists every case event, for tests and documentation.
func CaseEvents() []CaseEvent {
	out := make([]CaseEvent, len(caseEvents))
	for i, e := range caseEvents {
		out[i] = CaseEvent(e.Name)
	}
	return out
}

// Case is one person's case, owned by the case manager of their commune.
type Case struct {
	ID        CaseID
	PersonID  PersonID
	ManagerID ManagerID
	Commune   CommuneCode
	Step      CaseStep
	OpenedAt  time.Time
	ClosedAt  *time.Time
	UpdatedAt time.Time
	// CloseReason is why a closed case closed ("" while open).
	CloseReason CloseReason
	// ReopenedFrom is the closed case this one was opened again from (0 for none).
	ReopenedFrom CaseID
	// NextReviewAt is when the case's next periodic review falls due; set on entering
	// monitoring, moved on by each review. Nil before monitoring.
	NextReviewAt *time.Time
}

// CaseFacts are what the guards of the life cycle need to know about a case's records.
type CaseFacts struct {
	HasAssessment bool // a needs assessment is recorded
	PlanApproved  bool // the current support plan is approved
}

// CaseTransition records one move of a case: who moved it, from where to where, when.
type CaseTransition struct {
	CaseID CaseID
	Event  CaseEvent
	From   CaseStep
	To     CaseStep
	By     ManagerID
	At     time.Time
	Note   string
	// Reason is a close's reason ("" for other events).
	Reason CloseReason
	// FromCommune, ToCommune and ToManager record a transfer ("" and 0 for other events).
	FromCommune CommuneCode
	ToCommune   CommuneCode
	ToManager   ManagerID
}

// Move applies ev to the case, refusing illegal moves with EINVALID: a step out of order,
// planning before any assessment, implementing a plan nobody approved, closing without a
// reason (Close does that). On success the case is at its new step and the returned
// transition records who moved it.
func (c *Case) Move(ctx context.Context, ev CaseEvent, facts CaseFacts, by ManagerID, at time.Time, note string) (CaseTransition, error) {
	if ev == EventClose {
		return CaseTransition{}, FieldError("event", "a case closes for a reason: close it with one")
	}
	return c.move(ctx, ev, facts, by, at, note)
}

func (c *Case) move(ctx context.Context, ev CaseEvent, facts CaseFacts, by ManagerID, at time.Time, note string) (CaseTransition, error) {
	from := c.Step
	machine := fsm.NewFSM(string(from), caseEvents, fsm.Callbacks{
		"before_" + string(EventPlan): func(_ context.Context, e *fsm.Event) {
			if !facts.HasAssessment {
				e.Cancel(FieldError("step", "record a needs assessment before planning"))
			}
		},
		"before_" + string(EventImplement): func(_ context.Context, e *fsm.Event) {
			if !facts.PlanApproved {
				e.Cancel(FieldError("step", "the support plan must be approved before it is implemented"))
			}
		},
	})
	// A cancelled request context must not leave the machine stuck (looplab/fsm#115); the
	// machine is thrown away anyway, so only values from ctx matter.
	if err := machine.Event(context.WithoutCancel(ctx), string(ev)); err != nil {
		var domain *Error
		if errors.As(err, &domain) {
			return CaseTransition{}, domain
		}
		var unknown fsm.UnknownEventError
		if errors.As(err, &unknown) {
			return CaseTransition{}, FieldError("event", "unknown case event %q", ev)
		}
		return CaseTransition{}, FieldError("step", "a case at step %s cannot %s", from, ev)
	}
	c.Step = CaseStep(machine.Current())
	c.UpdatedAt = at
	if c.Step == StepClosed {
		closed := at
		c.ClosedAt = &closed
	}
	return CaseTransition{CaseID: c.ID, Event: ev, From: from, To: c.Step, By: by, At: at, Note: note}, nil
}
