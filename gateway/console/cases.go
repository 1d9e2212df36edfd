package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
)

// The case work: every write is the care.APIStore method the JSON API calls, audited by
// the store in the write's transaction.

// kase loads the case of the path's id, if the staff member sees its commune.
func (h *handler) kase(r *http.Request, q *request) (*care.Case, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.caseByID(r, q, care.CaseID(id))
}

func (h *handler) caseByID(r *http.Request, q *request, id care.CaseID) (*care.Case, error) {
	c, err := h.Store.Case(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !q.staff.Sees(c.Commune) {
		return nil, hidden()
	}
	return c, nil
}

// onCase serves a write on the path's case: it loads the case (if the staff member sees
// it), runs write, and goes back to the person's page.
func (h *handler) onCase(write func(r *http.Request, q *request, c *care.Case) error) serveFunc {
	return func(w http.ResponseWriter, r *http.Request, q *request) error {
		c, err := h.kase(r, q)
		if err != nil {
			return err
		}
		if err := write(r, q, c); err != nil {
			return err
		}
		return seeOther(w, r, personPath(c.PersonID))
	}
}

// personPath is the page of a person.
func personPath(id care.PersonID) string { return fmt.Sprintf("%speople/%d", Prefix, id) }

// text reads a trimmed form field of at most max characters.
func text(r *http.Request, field string, max int) (string, error) {
	v := strings.TrimSpace(r.PostForm.Get(field))
	if len([]rune(v)) > max {
		return "", care.FieldError(field, "%s is longer than %d characters", field, max)
	}
	return v, nil
}

// openCase opens a case for the person, managed by the staff member opening it.
func (h *handler) openCase(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := h.loadPerson(r, q)
	if err != nil {
		return err
	}
	c := &care.Case{PersonID: p.ID, ManagerID: q.staff.ID, Commune: p.Commune}
	if err := h.Store.OpenCaseAs(r.Context(), q.staff.ID, c); err != nil {
		return err
	}
	return seeOther(w, r, personPath(p.ID))
}

// reopenCase opens a new case for the person of a closed case, remembering it; its case
// manager takes it again if still in the commune.
func (h *handler) reopenCase(r *http.Request, q *request, c *care.Case) error {
	_, err := h.Store.ReopenCaseAs(r.Context(), q.staff.ID, c.ID, 0)
	return err
}

// moveCase moves the case by an event of its life cycle (closing has its own form).
func (h *handler) moveCase(r *http.Request, q *request, c *care.Case) error {
	note, err := text(r, "note", care.MaxNoteRunes)
	if err != nil {
		return err
	}
	_, err = h.Store.MoveCaseAs(r.Context(), q.staff.ID, c.ID, care.CaseEvent(r.PostForm.Get("event")), note)
	return err
}

// closeCase closes the case from any step for a reason; the person is told (unless they
// died), their appointments and check-ins stop.
func (h *handler) closeCase(r *http.Request, q *request, c *care.Case) error {
	// The store checks the closure (a known reason, a note for "other").
	cl := care.Closure{Reason: care.CloseReason(r.PostForm.Get("reason")), Note: strings.TrimSpace(r.PostForm.Get("note"))}
	_, err := h.Store.CloseCaseAs(r.Context(), q.staff.ID, c.ID, cl, h.News)
	return err
}

// transferCase moves the case and its person to another commune (its least busy case
// manager takes it); both case managers are told. The staff member may then no longer see
// the person: the page goes back to the people list.
func (h *handler) transferCase(w http.ResponseWriter, r *http.Request, q *request) error {
	c, err := h.kase(r, q)
	if err != nil {
		return err
	}
	commune := care.CommuneCode(strings.TrimSpace(r.PostForm.Get("commune")))
	if commune == "" {
		return care.FieldError("commune", "the commune is required")
	}
	note, err := text(r, "note", care.MaxNoteRunes)
	if err != nil {
		return err
	}
	moved, err := h.Store.TransferCaseAs(r.Context(), q.staff.ID, c.ID, commune, 0, note, h.News)
	if err != nil {
		return err
	}
	if !q.staff.Sees(moved.Commune) {
		return seeOther(w, r, Prefix+"people")
	}
	return seeOther(w, r, personPath(c.PersonID))
}

// reviewCase records a periodic review of a case in monitoring; the next one is set.
func (h *handler) reviewCase(r *http.Request, q *request, c *care.Case) error {
	note, err := text(r, "note", care.MaxNoteRunes)
	if err != nil {
		return err
	}
	_, err = h.Store.ReviewCaseAs(r.Context(), q.staff.ID, c.ID, note)
	return err
}

// recordAssessment records the needs checked on the form, over the areas of Article 5.
func (h *handler) recordAssessment(r *http.Request, q *request, c *care.Case) error {
	a := &care.Assessment{CaseID: c.ID, AssessedBy: q.staff.ID, AssessedAt: h.Clock.Now()}
	var err error
	if a.Summary, err = text(r, "summary", 2000); err != nil {
		return err
	}
	for _, area := range needs {
		if r.PostForm.Get("need_"+string(area)) == "" {
			continue
		}
		prio, err := strconv.Atoi(r.PostForm.Get("priority_" + string(area)))
		if err != nil {
			return care.FieldError("priority", "a priority must be 0 to 3")
		}
		note, err := text(r, "note_"+string(area), 500)
		if err != nil {
			return err
		}
		a.Needs = append(a.Needs, care.Need{Area: area, Priority: prio, Note: note})
	}
	return h.Store.RecordAssessmentAs(r.Context(), q.staff.ID, a)
}

// draftPlan stores a draft plan (goals one a line, up to three services); it waits in the
// approver's queue.
func (h *handler) draftPlan(r *http.Request, q *request, c *care.Case) error {
	p := &care.SupportPlan{CaseID: c.ID, CreatedBy: q.staff.ID, Status: care.PlanDraft}
	goals, err := text(r, "goals", 2000)
	if err != nil {
		return err
	}
	for g := range strings.Lines(goals) {
		if g = strings.TrimSpace(g); g != "" {
			p.Goals = append(p.Goals, g)
		}
	}
	for i := 1; i <= 3; i++ {
		n := strconv.Itoa(i)
		desc, err := text(r, "desc"+n, 500)
		if err != nil {
			return err
		}
		if desc == "" {
			continue
		}
		provider, err := text(r, "provider"+n, 200)
		if err != nil {
			return err
		}
		sv := care.PlanService{Area: care.NeedArea(r.PostForm.Get("area" + n)), Description: desc,
			Provider: provider, Status: care.ServicePlanned}
		if d := r.PostForm.Get("due" + n); d != "" {
			due, err := time.ParseInLocation("2006-01-02", d, h.Location)
			if err != nil {
				return care.FieldError("due", "a due date must be a date")
			}
			sv.Due = &due
		}
		p.Services = append(p.Services, sv)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return h.Store.CreatePlanAs(r.Context(), q.staff.ID, p)
}

// planQueue is the approver's queue: draft plans of the staff member's communes.
func (h *handler) planQueue(w http.ResponseWriter, r *http.Request, q *request) error {
	plans, err := h.Store.PlansToApprove(r.Context(), q.staff.Communes())
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "plans", q, struct {
		Plans      []care.PlanToApprove
		MayApprove bool
	}{plans, q.staff.MayApprove()})
}

// planStep runs one step of the case's pending plan on its way to approval (submit,
// approve, return) and goes back to where the form was.
func (h *handler) planStep(w http.ResponseWriter, r *http.Request, q *request, step func(care.PlanID) error) error {
	c, err := h.kase(r, q)
	if err != nil {
		return err
	}
	p, err := h.Store.PendingPlan(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if err := step(p.ID); err != nil {
		return err
	}
	if r.PostForm.Get("back") == "queue" {
		return seeOther(w, r, Prefix+"plans")
	}
	return seeOther(w, r, personPath(c.PersonID))
}

// submitPlan sends the draft (or returned) plan to the commune's approvers, who are told.
func (h *handler) submitPlan(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.planStep(w, r, q, func(id care.PlanID) error {
		_, err := h.Store.SubmitPlanAs(r.Context(), q.staff.ID, id, h.News)
		return err
	})
}

// approvePlan approves the submitted plan; only approvers may (the store refuses anyone
// else: 403). It replaces the plan in force; the case manager is told.
func (h *handler) approvePlan(w http.ResponseWriter, r *http.Request, q *request) error {
	return h.planStep(w, r, q, func(id care.PlanID) error {
		_, err := h.Store.ApprovePlanAs(r.Context(), q.staff.ID, id, h.News)
		return err
	})
}

// returnPlan sends the submitted plan back to the case manager with a reason.
func (h *handler) returnPlan(w http.ResponseWriter, r *http.Request, q *request) error {
	reason := r.PostForm.Get("reason") // the store requires it and bounds it
	return h.planStep(w, r, q, func(id care.PlanID) error {
		_, err := h.Store.ReturnPlanAs(r.Context(), q.staff.ID, id, reason, h.News)
		return err
	})
}

// appointmentTime reads the form's local date and time; it must be in the future.
func (h *handler) appointmentTime(r *http.Request) (time.Time, error) {
	at, err := time.ParseInLocation("2006-01-02 15:04", r.PostForm.Get("date")+" "+r.PostForm.Get("time"), h.Location)
	if err != nil {
		return at, care.FieldError("at", "a date and a time are needed")
	}
	return at, care.CheckAppointmentTime(at, h.Clock.Now())
}

// createAppointment books an appointment for the case's person; its reminders are made
// after the booking commits.
func (h *handler) createAppointment(r *http.Request, q *request, c *care.Case) error {
	if err := c.Bookable(); err != nil {
		return err
	}
	a := &care.Appointment{CaseID: c.ID, PersonID: c.PersonID, Status: care.AppointmentScheduled}
	var err error
	if a.At, err = h.appointmentTime(r); err != nil {
		return err
	}
	if a.Place, err = text(r, "place", care.MaxAppointmentText); err != nil {
		return err
	}
	if a.Purpose, err = text(r, "purpose", care.MaxAppointmentText); err != nil {
		return err
	}
	if err := h.Store.CreateAppointmentAs(r.Context(), q.staff.ID, a); err != nil {
		return err
	}
	if err := h.Reminders.Schedule(r.Context(), a.ID); err != nil {
		zlog(r).Error().Err(err).Int64("appointment", int64(a.ID)).Msg("schedule reminders")
	}
	return nil
}

// appointment loads the appointment of the path's id, if the staff member sees its case.
func (h *handler) appointment(r *http.Request, q *request) (*care.Appointment, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	a, err := h.Store.Appointment(r.Context(), care.AppointmentID(id))
	if err != nil {
		return nil, err
	}
	if _, err := h.caseByID(r, q, a.CaseID); err != nil {
		return nil, err
	}
	return a, nil
}

// moveAppointment sets a new time and place; old reminders go, new ones are made.
func (h *handler) moveAppointment(w http.ResponseWriter, r *http.Request, q *request) error {
	a, err := h.appointment(r, q)
	if err != nil {
		return err
	}
	at, err := h.appointmentTime(r)
	if err != nil {
		return err
	}
	place, err := text(r, "place", care.MaxAppointmentText)
	if err != nil {
		return err
	}
	if place == "" {
		place = a.Place
	}
	if _, err := h.Store.MoveAppointmentAs(r.Context(), q.staff.ID, a.ID, at, place); err != nil {
		return err
	}
	if err := h.Reminders.Schedule(r.Context(), a.ID); err != nil {
		zlog(r).Error().Err(err).Int64("appointment", int64(a.ID)).Msg("schedule reminders")
	}
	return seeOther(w, r, personPath(a.PersonID))
}

// cancelAppointment cancels an appointment; the store cancels its reminders with it.
func (h *handler) cancelAppointment(w http.ResponseWriter, r *http.Request, q *request) error {
	a, err := h.appointment(r, q)
	if err != nil {
		return err
	}
	if err := h.Store.CancelAppointmentAs(r.Context(), q.staff.ID, a.ID); err != nil {
		return err
	}
	return seeOther(w, r, personPath(a.PersonID))
}
