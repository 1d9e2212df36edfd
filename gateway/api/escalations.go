package api

import (
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
)

// helpRequest loads the help request of the path's id, if the staff member sees its
// commune (one of unknown commune only admins see).
func (h *handler) helpRequest(r *http.Request, st *care.Staff) (*care.HelpRequest, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	hr, err := h.store.HelpRequest(r.Context(), care.HelpRequestID(id))
	if err != nil {
		return nil, err
	}
	if !st.Sees(hr.Commune) {
		return nil, hidden()
	}
	return hr, nil
}

// listHelpRequests lists help requests, oldest first: open ones unless ?status= says
// resolved or any.
func (h *handler) listHelpRequests(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f := care.HelpFilter{Communes: st.Communes(), Status: care.HelpOpen}
	switch s := r.URL.Query().Get("status"); s {
	case "", string(care.HelpOpen):
	case string(care.HelpResolved):
		f.Status = care.HelpResolved
	case "any":
		f.Status = ""
	default:
		return care.FieldError("status", "status must be open, resolved or any")
	}
	hs, next, err := h.store.ListHelpRequests(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, newList(hs, next, viewHelp))
	return nil
}

func (h *handler) getHelpRequest(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	hr, err := h.helpRequest(r, st)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewHelp(hr))
	return nil
}

// resolveHelpRequest marks a help request resolved; resolving it twice is 409.
func (h *handler) resolveHelpRequest(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	hr, err := h.helpRequest(r, st)
	if err != nil {
		return err
	}
	if hr, err = h.store.ResolveHelpRequestAs(r.Context(), st.ID, hr.ID); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewHelp(hr))
	return nil
}

// escalation loads the escalation of the path's id, if the staff member sees its commune.
func (h *handler) escalation(r *http.Request, st *care.Staff) (*care.Escalation, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	e, err := h.store.Escalation(r.Context(), care.EscalationID(id))
	if err != nil {
		return nil, err
	}
	if !st.Sees(e.Commune) {
		return nil, hidden()
	}
	return e, nil
}

// listEscalations lists escalations by SLA, the soonest to climb first: open ones unless
// ?status= says acknowledged or resolved.
func (h *handler) listEscalations(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f := care.EscalationFilter{Communes: st.Communes(), Status: care.EscalationOpen}
	if s := r.URL.Query().Get("status"); s != "" {
		if f.Status = care.EscalationStatus(s); !f.Status.Valid() {
			return care.FieldError("status", "status must be open, acknowledged or resolved")
		}
	}
	es, next, err := h.store.ListEscalations(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, newList(es, next, viewEscalation))
	return nil
}

func (h *handler) getEscalation(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	e, err := h.escalation(r, st)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewEscalation(e))
	return nil
}

// acknowledgeEscalation stops the escalation's ladder: it is acknowledged by the staff
// member and has no next level any more; acknowledging one that is not open is 409.
func (h *handler) acknowledgeEscalation(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	e, err := h.escalation(r, st)
	if err != nil {
		return err
	}
	if e, err = h.store.AcknowledgeEscalationAs(r.Context(), st.ID, e.ID, h.clock.Now()); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewEscalation(e))
	return nil
}

// resolutionInput is the body of POST /escalations/{id}/resolve.
type resolutionInput struct {
	Outcome string `json:"outcome"`
}

// resolveEscalation closes an escalation with an outcome note; resolving it twice is 409.
func (h *handler) resolveEscalation(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	e, err := h.escalation(r, st)
	if err != nil {
		return err
	}
	var in resolutionInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	outcome := strings.TrimSpace(in.Outcome)
	switch {
	case outcome == "":
		return care.FieldError("outcome", "outcome is required")
	case len([]rune(outcome)) > 1000:
		return care.FieldError("outcome", "outcome is longer than 1000 characters")
	}
	if e, err = h.store.ResolveEscalationAs(r.Context(), st.ID, e.ID, outcome, h.clock.Now()); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewEscalation(e))
	return nil
}
