package care

import "time"

// PlanID identifies a support plan.
type PlanID int64

// PlanStatus is where a support plan is in its approval.
type PlanStatus string

// Plan statuses.
const (
	PlanDraft    PlanStatus = "draft"
	PlanApproved PlanStatus = "approved" // by the commune People's Committee chairman or the facility head
	PlanReplaced PlanStatus = "replaced" // a revised plan took its place
)

// Valid reports whether s is a known status.
func (s PlanStatus) Valid() bool { return s == PlanDraft || s == PlanApproved || s == PlanReplaced }

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
	// ApprovedBy is the staff member with the approver role who recorded the approval;
	// ApproverName is who approved it (e.g. the commune chairman), as written on the paper plan.
	ApprovedBy   ManagerID
	ApproverName string
	ApprovedAt   *time.Time
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
