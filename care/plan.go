package care

import "time"

// PlanID identifies a support plan.
type PlanID int64

// PlanStatus is where a support plan is in its approval.
type PlanStatus string

// Plan statuses.
const (
	PlanDraft     PlanStatus = "draft"     // being written by the case manager
	PlanSubmitted PlanStatus = "submitted" // waiting for the approver
	PlanReturned  PlanStatus = "returned"  // the approver sent it back with a reason; submit it again
	PlanApproved  PlanStatus = "approved"  // by the commune People's Committee chair or the facility head: in force
	PlanReplaced  PlanStatus = "replaced"  // a revised plan was approved in its place, or a newer draft
)

// Valid reports whether s is a known status.
func (s PlanStatus) Valid() bool {
	switch s {
	case PlanDraft, PlanSubmitted, PlanReturned, PlanApproved, PlanReplaced:
		return true
	}
	return false
}

// Pending reports whether a plan in status s is on its way to approval: a case has at most
// one such plan beside the one in force.
func (s PlanStatus) Pending() bool { return s == PlanDraft || s == PlanSubmitted || s == PlanReturned }

// ServiceID identifies one service of a plan.
type ServiceID int64

// ServiceStatus is how a planned service is going.
type ServiceStatus string

// Service statuses.
const (
	ServicePlanned    ServiceStatus = "planned"
	ServiceInProgress ServiceStatus = "in_progress"
	ServiceDone       ServiceStatus = "done"
	ServiceCancelled  ServiceStatus = "cancelled"
)

// Valid reports whether s is a known status.
func (s ServiceStatus) Valid() bool {
	switch s {
	case ServicePlanned, ServiceInProgress, ServiceDone, ServiceCancelled:
		return true
	}
	return false
}

// PlanService is a service the plan arranges: what, in which need area, by whom, by when.
type PlanService struct {
	ID          ServiceID
	Area        NeedArea
	Description string
	Provider    string
	Due         *time.Time
	Status      ServiceStatus
}

// SupportPlan is step 2's record: goals and services, approved before it is implemented.
type SupportPlan struct {
	ID        PlanID
	CaseID    CaseID
	Goals     []string
	Services  []PlanService
	Status    PlanStatus
	CreatedBy ManagerID
	CreatedAt time.Time
	// ApprovedBy is the staff member with the approver role who approved it, from their
	// token; ApproverName is their name as it was then, for the paper record.
	ApprovedBy   ManagerID
	ApproverName string
	ApprovedAt   *time.Time
	SubmittedAt  *time.Time
	// ReturnedBy, ReturnedAt and ReturnReason record the last time an approver sent the
	// plan back.
	ReturnedBy   ManagerID
	ReturnedAt   *time.Time
	ReturnReason string
}

// Validate checks a plan before it is stored.
func (p *SupportPlan) Validate() error {
	if len(p.Goals) == 0 {
		return FieldError("goals", "a plan needs at least one goal")
	}
	for _, s := range p.Services {
		if !s.Area.Valid() {
			return FieldError("services", "unknown need area %q", s.Area)
		}
		if s.Description == "" {
			return FieldError("services", "a service needs a description")
		}
		if !s.Status.Valid() {
			return FieldError("services", "unknown service status %q", s.Status)
		}
	}
	if !p.Status.Valid() {
		return FieldError("status", "unknown plan status %q", p.Status)
	}
	return nil
}
