package care

// CommuneCode identifies a commune (xã/phường), the unit a case manager works in.
type CommuneCode string

// Commune is where case management happens.
type Commune struct {
	Code     CommuneCode
	Name     string
	Province string
	// DutyOfficerID is the commune duty officer, the last rung of the escalation ladder.
	DutyOfficerID ManagerID
}

// ManagerID identifies a case manager, supervisor or other staff member.
type ManagerID int64

// Role is what a staff member may do.
type Role string

// Roles.
const (
	RoleCaseManager Role = "case_manager" // their own commune's cases
	RoleSupervisor  Role = "supervisor"   // their team's communes; second rung of escalations
	RoleDutyOfficer Role = "duty_officer" // the commune's last rung; with no commune, on the service-wide roster
	RoleApprover    Role = "approver"     // may approve support plans (commune chairman)
	RoleAdmin       Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleCaseManager, RoleSupervisor, RoleDutyOfficer, RoleApprover, RoleAdmin:
		return true
	}
	return false
}

// CaseManager is a commune social worker, or any staff member on the escalation ladder.
type CaseManager struct {
	ID    ManagerID
	Name  string
	Phone Phone
	// Commune is "" only for a duty officer on the service-wide on-call roster.
	Commune      CommuneCode
	Role         Role
	SupervisorID ManagerID // 0 when none
	Language     Language
	Active       bool
}

// OnRoster reports whether m is on the service-wide on-call roster: a duty officer with no
// commune, who takes the help requests no commune's staff can.
func (m *CaseManager) OnRoster() bool { return m.Role == RoleDutyOfficer && m.Commune == "" }
