package api

import (
	"net/http"
	"time"

	"github.com/caseline/caseline/care"
)

// What issue 14 added for case managers: reassigning a case and the check-ins of a person
// or a case with their answers. Searching people is ?q= on GET /persons.

// reassignInput is the body of POST /cases/{id}/manager.
type reassignInput struct {
	ManagerID int64 `json:"manager_id"`
}

// reassignCase hands an open case to another case manager of its commune.
func (h *handler) reassignCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in reassignInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.ManagerID <= 0 {
		return care.FieldError("manager_id", "manager_id is required")
	}
	moved, err := h.store.ReassignCaseAs(r.Context(), st.ID, c.ID, care.ManagerID(in.ManagerID))
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewCase(moved))
	return nil
}

// checkInView is a check-in and its answer.
type checkInView struct {
	ID         int64      `json:"id"`
	ScheduleID int64      `json:"schedule_id"`
	CaseID     int64      `json:"case_id"`
	PersonID   int64      `json:"person_id"`
	DueAt      time.Time  `json:"due_at"`
	RetryAt    time.Time  `json:"retry_at"`
	DeadlineAt time.Time  `json:"deadline_at"`
	Status     string     `json:"status"`
	Answer     *string    `json:"answer"` // "fine" or "need_help"; null while unanswered
	AnsweredAt *time.Time `json:"answered_at"`
}

func viewCheckIn(c *care.CheckIn) checkInView {
	v := checkInView{ID: int64(c.ID), ScheduleID: int64(c.ScheduleID), CaseID: int64(c.CaseID), PersonID: int64(c.PersonID),
		DueAt: c.DueAt.UTC(), RetryAt: c.RetryAt.UTC(), DeadlineAt: c.DeadlineAt.UTC(), Status: string(c.Status),
		AnsweredAt: utcPtr(c.AnsweredAt)}
	if c.Status == care.CheckInFine || c.Status == care.CheckInNeedHelp {
		v.Answer = textPtr(string(c.Status))
	}
	return v
}

// listCaseCheckIns lists a case's check-ins, newest first.
func (h *handler) listCaseCheckIns(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	return h.listCheckIns(w, r, care.CheckInFilter{CaseID: c.ID})
}

// listPersonCheckIns lists a person's check-ins over all their cases, newest first.
func (h *handler) listPersonCheckIns(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	p, err := h.person(r, st)
	if err != nil {
		return err
	}
	return h.listCheckIns(w, r, care.CheckInFilter{PersonID: p.ID})
}

func (h *handler) listCheckIns(w http.ResponseWriter, r *http.Request, f care.CheckInFilter) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	cs, next, err := h.store.ListCheckIns(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, newList(cs, next, viewCheckIn))
	return nil
}
