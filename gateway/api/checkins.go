package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
)

// weekdayName is a weekday as the API writes it: "monday".
func weekdayName(d time.Weekday) string { return strings.ToLower(d.String()) }

// parseWeekday reads "monday" (any case) or "mon".
func parseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		if name := weekdayName(d); s == name || (len(s) == 3 && strings.HasPrefix(name, s)) {
			return d, true
		}
	}
	return 0, false
}

// clockTime writes minutes after midnight as "09:00".
func clockTime(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }

// parseClock reads "09:00" as minutes after midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// scheduleInput is the body of POST /cases/{id}/schedules: a weekday, a local time and
// how long the person has to answer (default 48 hours).
type scheduleInput struct {
	Weekday       string `json:"weekday"`
	Time          string `json:"time"`
	WindowMinutes *int   `json:"window_minutes"`
}

// createSchedule starts weekly monitoring check-ins for a case.
func (h *handler) createSchedule(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	if err := c.Bookable(); err != nil {
		return err
	}
	var in scheduleInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	sc := &care.CheckInSchedule{CaseID: c.ID, Active: true}
	bad := fieldErrors{}
	var ok bool
	if sc.Weekday, ok = parseWeekday(in.Weekday); !ok {
		bad.add("weekday", "weekday must be a day's English name, e.g. monday")
	}
	if sc.Minute, ok = parseClock(in.Time); !ok {
		bad.add("time", "time must be HH:MM, local time")
	}
	if in.WindowMinutes != nil {
		if *in.WindowMinutes < 1 || *in.WindowMinutes > 14*24*60 {
			bad.add("window_minutes", "window_minutes must be 1 to 20160 (14 days)")
		}
		sc.Window = time.Duration(*in.WindowMinutes) * time.Minute
	}
	if err := bad.err(); err != nil {
		return err
	}
	if err := h.store.CreateScheduleAs(r.Context(), st.ID, sc); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusCreated, viewSchedule(sc))
	return nil
}

func (h *handler) listSchedules(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	c, err := h.pathCase(r, st)
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	ss, next, err := h.store.ListSchedules(r.Context(), c.ID, pg)
	if err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, newList(ss, next, viewSchedule))
	return nil
}

// deactivateSchedule stops a schedule; its check-ins not sent yet are cancelled.
func (h *handler) deactivateSchedule(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sc, err := h.store.Schedule(r.Context(), care.ScheduleID(id))
	if err != nil {
		return err
	}
	if _, err := h.kase(r.Context(), st, sc.CaseID); err != nil {
		return err
	}
	if sc, err = h.store.DeactivateScheduleAs(r.Context(), st.ID, sc.ID); err != nil {
		return err
	}
	writeJSON(w, r, http.StatusOK, viewSchedule(sc))
	return nil
}
