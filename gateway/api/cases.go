package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
)

// openCaseOf answers the person's open case.
func (h *handler) openCaseOf(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	p, err := h.person(r, st)
	if err != nil {
		return err
	}
	c, err := h.store.OpenCaseOf(r.Context(), p.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCase(c))
	return nil
}

// caseInput is the optional body of POST /persons/{id}/cases; without manager_id the case goes to
// the case manager of the person's commune with the fewest open cases.
type caseInput struct {
	ManagerID *int64 `json:"manager_id"`
}

// openCase opens a case at step 1 for the person; a person with an open case is 409.
func (h *handler) openCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	p, err := h.person(r, st)
	if err != nil {
		return err
	}
	var in caseInput
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	var m *care.CaseManager
	if in.ManagerID != nil {
		m, err = h.store.Manager(r.Context(), care.ManagerID(*in.ManagerID))
		if care.ErrorCode(err) == care.ENOTFOUND || (err == nil && (!m.Active || m.Commune != p.Commune)) {
			return care.FieldError("manager_id", "not an active staff member of commune %s", p.Commune)
		}
	} else {
		m, err = h.store.CommuneCaseManager(r.Context(), p.Commune)
		if care.ErrorCode(err) == care.ENOTFOUND {
			return care.FieldError("manager_id", "commune %s has no active case manager; name one", p.Commune)
		}
	}
	if err != nil {
		return err
	}
	c := &care.Case{PersonID: p.ID, ManagerID: m.ID, Commune: p.Commune}
	if err := h.store.OpenCaseAs(r.Context(), st.ID, c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewCase(c))
	return nil
}

func (h *handler) getCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCase(c))
	return nil
}

// eventInput is the body of POST /cases/{id}/events.
type eventInput struct {
	Event string `json:"event"`
	Note  string `json:"note"`
}

// moveCase moves a case through the five steps by a care event, recording who moved it; a
// move the life cycle does not allow is 400 on "step" or "event".
func (h *handler) moveCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in eventInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Event == "" {
		return care.FieldError("event", "event is required")
	}
	if len([]rune(in.Note)) > 1000 {
		return care.FieldError("note", "note is longer than 1000 characters")
	}
	moved, err := h.store.MoveCaseAs(r.Context(), st.ID, c.ID, care.CaseEvent(in.Event), strings.TrimSpace(in.Note))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCase(moved))
	return nil
}

// caseHistory lists a case's moves, oldest first. A case moves a handful of times in its
// life, so the history is one page.
func (h *handler) caseHistory(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	ts, err := h.store.CaseHistory(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ts, "", viewTransition))
	return nil
}

// assessmentInput is the body of POST /cases/{id}/assessments.
type assessmentInput struct {
	Needs []struct {
		Area     string `json:"area"`
		Priority int    `json:"priority"`
		Note     string `json:"note"`
	} `json:"needs"`
	Summary    string `json:"summary"`
	AssessedAt string `json:"assessed_at"` // RFC 3339; empty is now
}

// recordAssessment records a needs assessment over the eight need areas.
func (h *handler) recordAssessment(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in assessmentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a := &care.Assessment{CaseID: c.ID, AssessedBy: st.ID, Summary: strings.TrimSpace(in.Summary)}
	bad := fieldErrors{}
	if in.AssessedAt != "" {
		var ok bool
		if a.AssessedAt, ok = parseTime(in.AssessedAt); !ok {
			bad.add("assessed_at", msgRFC3339)
		} else if a.AssessedAt.After(h.clock.Now()) {
			bad.add("assessed_at", "must not be in the future")
		}
	}
	for _, n := range in.Needs {
		a.Needs = append(a.Needs, care.Need{Area: care.NeedArea(n.Area), Priority: n.Priority, Note: strings.TrimSpace(n.Note)})
	}
	if err := a.Validate(); err != nil {
		bad.addErr("needs", err)
	}
	if err := bad.err(); err != nil {
		return err
	}
	if err := h.store.RecordAssessmentAs(r.Context(), st.ID, a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAssessment(a))
	return nil
}

func (h *handler) latestAssessment(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	a, err := h.store.LatestAssessment(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAssessment(a))
	return nil
}

// planInput is the body of POST /cases/{id}/plans.
type planInput struct {
	Goals    []string `json:"goals"`
	Services []struct {
		Area        string `json:"area"`
		Description string `json:"description"`
		Provider    string `json:"provider"`
		Due         string `json:"due"` // RFC 3339 full-date; empty is none
		Status      string `json:"status"`
	} `json:"services"`
}

// createPlan stores a draft support plan, replacing the case's plan on its way to approval
// if any; the plan in force stays in force until the draft is approved.
func (h *handler) createPlan(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in planInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p := &care.SupportPlan{CaseID: c.ID, CreatedBy: st.ID, Status: care.PlanDraft}
	bad := fieldErrors{}
	for _, g := range in.Goals {
		if g = strings.TrimSpace(g); g == "" {
			bad.add("goals", "a goal must not be empty")
		}
		p.Goals = append(p.Goals, strings.TrimSpace(g))
	}
	for _, s := range in.Services {
		sv := care.PlanService{Area: care.NeedArea(s.Area), Description: strings.TrimSpace(s.Description),
			Provider: strings.TrimSpace(s.Provider), Status: care.ServiceStatus(s.Status)}
		if sv.Status == "" {
			sv.Status = care.ServicePlanned
		}
		if s.Due != "" {
			due, err := time.Parse(dateLayout, s.Due)
			if err != nil {
				bad.add("services", "due must be a date, YYYY-MM-DD")
			}
			sv.Due = &due
		}
		p.Services = append(p.Services, sv)
	}
	if err := p.Validate(); err != nil {
		bad.addErr("plan", err)
	}
	if err := bad.err(); err != nil {
		return err
	}
	if err := h.store.CreatePlanAs(r.Context(), st.ID, p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewPlan(p))
	return nil
}

func (h *handler) currentPlan(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	p, err := h.store.CurrentPlan(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPlan(p))
	return nil
}

// serviceInput is the body of PATCH /cases/{id}/plan/services/{service}.
type serviceInput struct {
	Status string `json:"status"`
}

// updateService records how a service of the case's current plan is going.
func (h *handler) updateService(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in serviceInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if !care.ServiceStatus(in.Status).Valid() {
		return care.FieldError("status", "status must be planned, in_progress, done or cancelled")
	}
	p, err := h.store.CurrentPlan(r.Context(), c.ID)
	if err != nil {
		return err
	}
	sid, err := strconv.ParseInt(r.PathValue("service"), 10, 64)
	if err != nil || !slices.ContainsFunc(p.Services, func(s care.PlanService) bool { return int64(s.ID) == sid }) {
		return care.Errorf(care.ENOTFOUND, "the current plan has no such service")
	}
	if err := h.store.SetServiceStatusAs(r.Context(), st.ID, care.ServiceID(sid), care.ServiceStatus(in.Status)); err != nil {
		return err
	}
	if p, err = h.store.CurrentPlan(r.Context(), c.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPlan(p))
	return nil
}

// parseTime reads an RFC 3339 time, in UTC at PostgreSQL's precision; ok is false for
// anything else.
func parseTime(s string) (t time.Time, ok bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Microsecond), true
}

// msgRFC3339 is the message for a malformed time.
const msgRFC3339 = "must be an RFC 3339 time, e.g. 2026-03-02T09:00:00+07:00"
