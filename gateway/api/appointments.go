package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
)

// appointment loads the appointment of the path's id, if the staff member sees its case's
// commune.
func (h *handler) appointment(r *http.Request, st *care.Staff) (*care.Appointment, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	a, err := h.store.Appointment(r.Context(), care.AppointmentID(id))
	if err != nil {
		return nil, err
	}
	if _, err := h.kase(r.Context(), st, a.CaseID); err != nil {
		return nil, err
	}
	return a, nil
}

// appointmentInput is the body of POST /cases/{id}/appointments and of
// POST /appointments/{id}/move (where purpose is not accepted and an absent place keeps
// the old one).
type appointmentInput struct {
	At      string  `json:"at"`
	Place   *string `json:"place"`
	Purpose *string `json:"purpose,omitempty"`
}

// when reads the body's time: required, RFC 3339, in the future.
func (h *handler) when(in appointmentInput, bad fieldErrors) care.Appointment {
	var a care.Appointment
	switch at, ok := parseTime(in.At); {
	case in.At == "":
		bad.add("at", "at is required")
	case !ok:
		bad.add("at", msgRFC3339)
	default:
		if err := care.CheckAppointmentTime(at, h.clock.Now()); err != nil {
			bad.addErr("at", err)
		}
		a.At = at
	}
	if in.Place != nil {
		a.Place = strings.TrimSpace(*in.Place)
		if len([]rune(a.Place)) > care.MaxAppointmentText {
			bad.add("place", fmt.Sprintf("place is longer than %d characters", care.MaxAppointmentText))
		}
	}
	return a
}

// createAppointment books an appointment for the case's person; the reminder scheduler is
// told after the booking commits.
func (h *handler) createAppointment(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	if err := c.Bookable(); err != nil {
		return err
	}
	var in appointmentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	bad := fieldErrors{}
	a := h.when(in, bad)
	if in.Purpose != nil {
		a.Purpose = strings.TrimSpace(*in.Purpose)
		if len([]rune(a.Purpose)) > care.MaxAppointmentText {
			bad.add("purpose", fmt.Sprintf("purpose is longer than %d characters", care.MaxAppointmentText))
		}
	}
	if err := bad.err(); err != nil {
		return err
	}
	a.CaseID, a.PersonID = c.ID, c.PersonID
	if err := h.store.CreateAppointmentAs(r.Context(), st.ID, &a); err != nil {
		return err
	}
	h.schedule(r.Context(), a.ID)
	writeJSON(w, r, http.StatusCreated, viewAppointment(&a))
	return nil
}

func (h *handler) getAppointment(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	a, err := h.appointment(r, st)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewAppointment(a))
	return nil
}

// moveAppointment sets a new time (and place); the store cancels the reminders of the old
// time in the same transaction, and the scheduler makes the new ones.
func (h *handler) moveAppointment(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	old, err := h.appointment(r, st)
	if err != nil {
		return err
	}
	var in appointmentInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	bad := fieldErrors{}
	if in.Purpose != nil {
		bad.add("purpose", "unknown field")
	}
	next := h.when(in, bad)
	if err := bad.err(); err != nil {
		return err
	}
	if in.Place == nil {
		next.Place = old.Place
	}
	a, err := h.store.MoveAppointmentAs(r.Context(), st.ID, old.ID, next.At, next.Place)
	if err != nil {
		return err
	}
	h.schedule(r.Context(), a.ID)
	writeJSON(w, r, http.StatusOK, viewAppointment(a))
	return nil
}

// cancelAppointment cancels an appointment; the store cancels its pending reminders with it.
func (h *handler) cancelAppointment(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	a, err := h.appointment(r, st)
	if err != nil {
		return err
	}
	if err := h.store.CancelAppointmentAs(r.Context(), st.ID, a.ID); err != nil {
		return err
	}
	if a, err = h.store.Appointment(r.Context(), a.ID); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewAppointment(a))
	return nil
}

// schedule tells the reminder scheduler about an appointment's current version. The change
// has committed by now and stands either way; a failure is logged for the operators.
func (h *handler) schedule(ctx context.Context, id care.AppointmentID) {
	if err := h.reminders.Schedule(context.WithoutCancel(ctx), id); err != nil {
		h.log.Error().Err(err).Int64("appointment", int64(id)).Msg("schedule reminders")
	}
}
