package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/caseline/caseline/care"
)

// The case life cycle beyond the five steps: list and filter cases, close, reopen,
// transfer, review, and a plan's way to approval. The rules and the messages they send live
// in care and the store (the web console calls the same methods); these handlers read the
// request, check scope and role, and answer.

// listCases lists the cases the staff member sees: ?step= (an open step, or closed),
// ?review=due|overdue (cases in monitoring whose review falls within a week, or has passed;
// soonest first), ?manager_id=.
func (h *handler) listCases(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := care.CaseFilter{Communes: st.Communes(), Step: care.CaseStep(q.Get("step")), Review: care.ReviewFilter(q.Get("review")),
		Now: h.clock.Now()}
	bad := fieldErrors{}
	if f.Step != "" && !f.Step.Valid() {
		bad.add("step", "step must be assessment, planning, implementation, monitoring, evaluation or closed")
	}
	if !f.Review.Valid() {
		bad.add("review", "review must be due or overdue")
	}
	if s := q.Get("manager_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			bad.add("manager_id", "manager_id must be a staff member's id")
		}
		f.ManagerID = care.ManagerID(id)
	}
	if err := bad.err(); err != nil {
		return err
	}
	cases, next, err := h.store.ListCases(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(cases, next, viewCase))
	return nil
}

// closeInput is the body of POST /cases/{id}/close.
type closeInput struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// closeCase closes a case from any step for a reason (a note is required for "other").
func (h *handler) closeCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in closeInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cl := care.Closure{Reason: care.CloseReason(in.Reason), Note: strings.TrimSpace(in.Note)}
	if err := cl.Validate(); err != nil {
		return err
	}
	closed, err := h.store.CloseCaseAs(r.Context(), st.ID, c.ID, cl, h.news)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCase(closed))
	return nil
}

// reopenInput is the optional body of POST /cases/{id}/reopen.
type reopenInput struct {
	ManagerID *int64 `json:"manager_id"`
}

// reopenCase opens a new case for the person of a closed case; the old case keeps its
// history. Without manager_id the old case manager takes it if still in the commune.
func (h *handler) reopenCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in reopenInput
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	var m care.ManagerID
	if in.ManagerID != nil {
		m = care.ManagerID(*in.ManagerID)
	}
	opened, err := h.store.ReopenCaseAs(r.Context(), st.ID, c.ID, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewCase(opened))
	return nil
}

// transferInput is the body of POST /cases/{id}/transfer.
type transferInput struct {
	Commune   string `json:"commune"`
	ManagerID *int64 `json:"manager_id"`
	Note      string `json:"note"`
}

// transferCase moves a case and its person to another commune and case manager.
func (h *handler) transferCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in transferInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	commune := care.CommuneCode(strings.TrimSpace(in.Commune))
	if commune == "" {
		return care.FieldError("commune", "commune is required")
	}
	var m care.ManagerID
	if in.ManagerID != nil {
		m = care.ManagerID(*in.ManagerID)
	}
	moved, err := h.store.TransferCaseAs(r.Context(), st.ID, c.ID, commune, m, in.Note, h.news)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCase(moved))
	return nil
}

// reviewInput is the optional body of POST /cases/{id}/reviews.
type reviewInput struct {
	Note string `json:"note"`
}

// reviewCase records a periodic review of a case in monitoring and sets the next one.
func (h *handler) reviewCase(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	var in reviewInput
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	reviewed, err := h.store.ReviewCaseAs(r.Context(), st.ID, c.ID, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCase(reviewed))
	return nil
}

// pendingPlan answers the case's plan on its way to approval (draft, submitted or returned).
func (h *handler) pendingPlan(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	p, err := h.store.PendingPlan(r.Context(), c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPlan(p))
	return nil
}

// submitPlan sends the case's draft or returned plan to the commune's approvers.
func (h *handler) submitPlan(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	return h.planStep(w, r, st, false, func(id care.PlanID) (*care.SupportPlan, error) {
		return h.store.SubmitPlanAs(r.Context(), st.ID, id, h.news)
	})
}

// approvePlan approves the case's submitted plan as the approver holding the token; it
// replaces the plan in force. Only an approver or an admin may (403 for anyone else).
func (h *handler) approvePlan(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	return h.planStep(w, r, st, true, func(id care.PlanID) (*care.SupportPlan, error) {
		return h.store.ApprovePlanAs(r.Context(), st.ID, id, h.news)
	})
}

// returnInput is the body of POST /cases/{id}/plan/revision/return.
type returnInput struct {
	Reason string `json:"reason"`
}

// returnPlan sends the case's submitted plan back to its case manager with a reason.
func (h *handler) returnPlan(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	var in returnInput
	return h.planStep(w, r, st, true, func(id care.PlanID) (*care.SupportPlan, error) {
		return h.store.ReturnPlanAs(r.Context(), st.ID, id, in.Reason, h.news)
	}, &in)
}

// planStep runs one step of the case's pending plan: it checks scope and, for approvers'
// steps, the role, reads body (if any) and answers the plan as the step left it.
func (h *handler) planStep(w http.ResponseWriter, r *http.Request, st *care.Staff, approver bool, step func(care.PlanID) (*care.SupportPlan, error), body ...any) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	if approver && !st.MayApprove() {
		return forbidden("only an approver may approve or return a support plan")
	}
	for _, b := range body {
		if err := decode(w, r, b); err != nil {
			return err
		}
	}
	p, err := h.store.PendingPlan(r.Context(), c.ID)
	if err != nil {
		return err
	}
	if p, err = step(p.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPlan(p))
	return nil
}
