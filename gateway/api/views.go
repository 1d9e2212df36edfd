package api

import (
	"time"

	"github.com/caseline/caseline/care"
)

// The JSON shapes of the API's records. Times are RFC 3339 in UTC; dates (a service's due
// date) are RFC 3339 full-dates. Absent references and times are null, never zero.

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func idPtr[T ~int64](id T) *int64 {
	if id == 0 {
		return nil
	}
	v := int64(id)
	return &v
}

func textPtr[T ~string](s T) *string {
	if s == "" {
		return nil
	}
	v := string(s)
	return &v
}

type staffView struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Commune  string   `json:"commune"`
	Role     string   `json:"role"`
	Communes []string `json:"communes"`
	All      bool     `json:"all_communes"`
}

func viewStaff(st *care.Staff) staffView {
	v := staffView{ID: int64(st.ID), Name: st.Name, Commune: string(st.Commune), Role: string(st.Role), All: st.AllCommunes(), Communes: []string{}}
	for _, c := range st.Communes() {
		v.Communes = append(v.Communes, string(c))
	}
	return v
}

type personView struct {
	ID               int64      `json:"id"`
	Phone            string     `json:"phone"`
	Name             string     `json:"name"`
	Commune          string     `json:"commune"`
	Language         string     `json:"language"`
	Profile          []string   `json:"profile"`
	Channel          string     `json:"channel"`
	ReachBy          string     `json:"reach_by"`
	Diacritics       bool       `json:"diacritics"`
	Consent          bool       `json:"consent"`
	ConsentAt        *time.Time `json:"consent_at"`
	CaregiverName    string     `json:"caregiver_name"`
	CaregiverPhone   *string    `json:"caregiver_phone"`
	CaregiverConsent bool       `json:"caregiver_consent"`
	RegisteredBy     *string    `json:"registered_by"`
	HasPIN           bool       `json:"has_pin"`
	Status           string     `json:"status"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

func viewPerson(p *care.Person) personView {
	v := personView{
		ID: int64(p.ID), Phone: p.Phone.E164(), Name: p.Name, Commune: string(p.Commune),
		Language: string(p.Language), Profile: make([]string, len(p.Profile)), Channel: string(p.Channel),
		ReachBy: string(p.ReachBy()), Diacritics: p.Diacritics, Consent: p.ConsentAt != nil, ConsentAt: utcPtr(p.ConsentAt),
		CaregiverName: p.CaregiverName, CaregiverPhone: textPtr(p.CaregiverPhone.E164()), CaregiverConsent: p.CaregiverConsent,
		RegisteredBy: textPtr(p.RegisteredBy.E164()), HasPIN: p.PINHash != "", Status: string(p.Status),
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	for i, d := range p.Profile {
		v.Profile[i] = string(d)
	}
	return v
}

type caseView struct {
	ID           int64      `json:"id"`
	PersonID     int64      `json:"person_id"`
	ManagerID    int64      `json:"manager_id"`
	Commune      string     `json:"commune"`
	Step         string     `json:"step"`
	StepNumber   int        `json:"step_number"`
	OpenedAt     time.Time  `json:"opened_at"`
	ClosedAt     *time.Time `json:"closed_at"`
	CloseReason  *string    `json:"close_reason"`
	ReopenedFrom *int64     `json:"reopened_from"`
	NextReviewAt *time.Time `json:"next_review_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func viewCase(c *care.Case) caseView {
	return caseView{ID: int64(c.ID), PersonID: int64(c.PersonID), ManagerID: int64(c.ManagerID), Commune: string(c.Commune),
		Step: string(c.Step), StepNumber: c.Step.Number(), OpenedAt: c.OpenedAt.UTC(), ClosedAt: utcPtr(c.ClosedAt),
		CloseReason: textPtr(c.CloseReason), ReopenedFrom: idPtr(c.ReopenedFrom), NextReviewAt: utcPtr(c.NextReviewAt),
		UpdatedAt: c.UpdatedAt.UTC()}
}

type transitionView struct {
	Event       string    `json:"event"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	By          int64     `json:"by"`
	At          time.Time `json:"at"`
	Note        string    `json:"note"`
	Reason      *string   `json:"reason"`
	FromCommune *string   `json:"from_commune"`
	ToCommune   *string   `json:"to_commune"`
	ToManager   *int64    `json:"to_manager"`
}

func viewTransition(t care.CaseTransition) transitionView {
	return transitionView{Event: string(t.Event), From: string(t.From), To: string(t.To), By: int64(t.By), At: t.At.UTC(), Note: t.Note,
		Reason: textPtr(t.Reason), FromCommune: textPtr(t.FromCommune), ToCommune: textPtr(t.ToCommune), ToManager: idPtr(t.ToManager)}
}

type needView struct {
	Area     string `json:"area"`
	Priority int    `json:"priority"`
	Note     string `json:"note"`
}

type assessmentView struct {
	ID         int64      `json:"id"`
	CaseID     int64      `json:"case_id"`
	Needs      []needView `json:"needs"`
	AssessedBy int64      `json:"assessed_by"`
	AssessedAt time.Time  `json:"assessed_at"`
	Summary    string     `json:"summary"`
}

func viewAssessment(a *care.Assessment) assessmentView {
	v := assessmentView{ID: int64(a.ID), CaseID: int64(a.CaseID), AssessedBy: int64(a.AssessedBy),
		AssessedAt: a.AssessedAt.UTC(), Summary: a.Summary, Needs: make([]needView, len(a.Needs))}
	for i, n := range a.Needs {
		v.Needs[i] = needView{Area: string(n.Area), Priority: n.Priority, Note: n.Note}
	}
	return v
}

type serviceView struct {
	ID          int64   `json:"id"`
	Area        string  `json:"area"`
	Description string  `json:"description"`
	Provider    string  `json:"provider"`
	Due         *string `json:"due"`
	Status      string  `json:"status"`
}

type planView struct {
	ID           int64         `json:"id"`
	CaseID       int64         `json:"case_id"`
	Goals        []string      `json:"goals"`
	Services     []serviceView `json:"services"`
	Status       string        `json:"status"`
	CreatedBy    int64         `json:"created_by"`
	CreatedAt    time.Time     `json:"created_at"`
	ApprovedBy   *int64        `json:"approved_by"`
	ApproverName string        `json:"approver_name"`
	ApprovedAt   *time.Time    `json:"approved_at"`
	SubmittedAt  *time.Time    `json:"submitted_at"`
	ReturnedBy   *int64        `json:"returned_by"`
	ReturnedAt   *time.Time    `json:"returned_at"`
	ReturnReason string        `json:"return_reason"`
}

// dateLayout is an RFC 3339 full-date.
const dateLayout = "2006-01-02"

func viewPlan(p *care.SupportPlan) planView {
	v := planView{ID: int64(p.ID), CaseID: int64(p.CaseID), Goals: p.Goals, Status: string(p.Status),
		CreatedBy: int64(p.CreatedBy), CreatedAt: p.CreatedAt.UTC(), ApprovedBy: idPtr(p.ApprovedBy),
		ApproverName: p.ApproverName, ApprovedAt: utcPtr(p.ApprovedAt), Services: make([]serviceView, len(p.Services)),
		SubmittedAt: utcPtr(p.SubmittedAt), ReturnedBy: idPtr(p.ReturnedBy), ReturnedAt: utcPtr(p.ReturnedAt), ReturnReason: p.ReturnReason}
	for i, s := range p.Services {
		v.Services[i] = serviceView{ID: int64(s.ID), Area: string(s.Area), Description: s.Description, Provider: s.Provider, Status: string(s.Status)}
		if s.Due != nil {
			d := s.Due.Format(dateLayout)
			v.Services[i].Due = &d
		}
	}
	return v
}

type appointmentView struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	PersonID  int64     `json:"person_id"`
	At        time.Time `json:"at"`
	Place     string    `json:"place"`
	Purpose   string    `json:"purpose"`
	Status    string    `json:"status"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewAppointment(a *care.Appointment) appointmentView {
	return appointmentView{ID: int64(a.ID), CaseID: int64(a.CaseID), PersonID: int64(a.PersonID), At: a.At.UTC(),
		Place: a.Place, Purpose: a.Purpose, Status: string(a.Status), Version: a.Version, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

type scheduleView struct {
	ID            int64     `json:"id"`
	CaseID        int64     `json:"case_id"`
	Weekday       string    `json:"weekday"`
	Time          string    `json:"time"`
	WindowMinutes int       `json:"window_minutes"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"created_at"`
}

func viewSchedule(s *care.CheckInSchedule) scheduleView {
	return scheduleView{ID: int64(s.ID), CaseID: int64(s.CaseID), Weekday: weekdayName(s.Weekday),
		Time: clockTime(s.Minute), WindowMinutes: int(s.Window / time.Minute), Active: s.Active, CreatedAt: s.CreatedAt.UTC()}
}

type helpView struct {
	ID          int64     `json:"id"`
	PersonID    *int64    `json:"person_id"`
	Phone       string    `json:"phone"`
	Commune     *string   `json:"commune"`
	Category    string    `json:"category"`
	Description string    `json:"description"`
	InDanger    bool      `json:"in_danger"`
	Unfinished  bool      `json:"unfinished"`
	Urgent      bool      `json:"urgent"`
	Channel     string    `json:"channel"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
}

func viewHelp(h *care.HelpRequest) helpView {
	return helpView{ID: int64(h.ID), PersonID: idPtr(h.PersonID), Phone: h.Phone.E164(), Commune: textPtr(h.Commune),
		Category: string(h.Category), Description: h.Description, InDanger: h.InDanger, Unfinished: h.Unfinished, Urgent: h.Urgent(),
		Channel: string(h.Channel), Status: string(h.Status), CreatedAt: h.CreatedAt.UTC()}
}

type escalationView struct {
	ID            int64      `json:"id"`
	Reason        string     `json:"reason"`
	Urgent        bool       `json:"urgent"`
	PersonID      *int64     `json:"person_id"`
	CaseID        *int64     `json:"case_id"`
	Commune       *string    `json:"commune"`
	HelpRequestID *int64     `json:"help_request_id"`
	CheckInID     *int64     `json:"checkin_id"`
	AppointmentID *int64     `json:"appointment_id"`
	Level         int        `json:"level"`
	Status        string     `json:"status"`
	NextLevelAt   *time.Time `json:"next_level_at"`
	AckedBy       *int64     `json:"acked_by"`
	AckedAt       *time.Time `json:"acked_at"`
	ResolvedBy    *int64     `json:"resolved_by"`
	ResolvedAt    *time.Time `json:"resolved_at"`
	Outcome       string     `json:"outcome"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func viewEscalation(e *care.Escalation) escalationView {
	return escalationView{ID: int64(e.ID), Reason: string(e.Reason), Urgent: e.Urgent, PersonID: idPtr(e.PersonID),
		CaseID: idPtr(e.CaseID), Commune: textPtr(e.Commune), HelpRequestID: idPtr(e.HelpRequestID), CheckInID: idPtr(e.CheckInID),
		AppointmentID: idPtr(e.AppointmentID), Level: int(e.Level), Status: string(e.Status), NextLevelAt: utcPtr(e.NextLevelAt),
		AckedBy: idPtr(e.AckedBy), AckedAt: utcPtr(e.AckedAt), ResolvedBy: idPtr(e.ResolvedBy), ResolvedAt: utcPtr(e.ResolvedAt),
		Outcome: e.Outcome, CreatedAt: e.CreatedAt.UTC(), UpdatedAt: e.UpdatedAt.UTC()}
}

type messageView struct {
	ID        int64     `json:"id"`
	Direction string    `json:"direction"`
	Channel   string    `json:"channel"`
	Provider  string    `json:"provider"`
	Body      string    `json:"body"`
	Status    string    `json:"status"`
	ErrorCode string    `json:"error_code"`
	StaffID   *int64    `json:"staff_id"` // who wrote it; null for Caseline's own messages
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewMessage(m *care.Message) messageView {
	v := messageView{ID: int64(m.ID), Direction: string(m.Direction), Channel: string(m.Channel), Provider: string(m.Provider),
		Body: m.Body, Status: string(m.Status), ErrorCode: m.ErrorCode, CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
	if m.StaffID != 0 {
		id := int64(m.StaffID)
		v.StaffID = &id
	}
	return v
}
