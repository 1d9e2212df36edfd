package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

// reminderRows lists an appointment's reminders as "v<version> <status>", oldest first.
func reminderRows(e *env, id int64) []string {
	e.t.Helper()
	return e.Strings(`SELECT 'v' || version || ' ' || status FROM reminder WHERE appointment_id = $1 ORDER BY id`, id)
}

func TestAppointmentRemindersFollowIt(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	kase := path("/cases/%d", w.kase.ID)

	e.refuses(w.token, kase+"/appointments", []invalid{
		{map[string]any{}, "at"},
		{map[string]any{"at": "10/03/2026 09:00"}, "at"},
		{map[string]any{"at": start.Add(-time.Minute).Format(time.RFC3339)}, "at"},
		{map[string]any{"at": "2026-03-10T09:00:00+07:00", "purpose": string(make([]byte, 201))}, "purpose"},
	})

	a := e.ok(http.StatusCreated, w.token, "POST", kase+"/appointments", map[string]any{
		"at": "2026-03-10T09:00:00+07:00", "place": "Trạm y tế xã", "purpose": "khám"})
	apptID := id(a, "id")
	require.Equal(t, "2026-03-10T02:00:00Z", a["at"], "times come back in UTC")
	require.Equal(t, float64(1), a["version"])
	require.Equal(t, float64(w.person.ID), a["person_id"])
	require.Equal(t, []string{"v1 pending", "v1 pending"}, reminderRows(e, apptID), "24 h and 2 h before")

	moved := e.ok(http.StatusOK, w.token, "POST", path("/appointments/%d/move", apptID), map[string]any{"at": "2026-03-12T14:30:00+07:00"})
	require.Equal(t, "2026-03-12T07:30:00Z", moved["at"])
	require.Equal(t, float64(2), moved["version"])
	require.Equal(t, "Trạm y tế xã", moved["place"], "an absent place keeps the old one")
	require.Equal(t, []string{"v1 cancelled", "v1 cancelled", "v2 pending", "v2 pending"}, reminderRows(e, apptID), "the old time's reminders never go")
	require.Equal(t, moved, e.ok(http.StatusOK, w.token, "GET", path("/appointments/%d", apptID), nil))

	fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", path("/appointments/%d/move", apptID), map[string]any{"at": "2026-03-12T14:30:00Z", "purpose": "x"})
	require.Contains(t, fields, "purpose")

	cancelled := e.ok(http.StatusOK, w.token, "POST", path("/appointments/%d/cancel", apptID), nil)
	require.Equal(t, "cancelled", cancelled["status"])
	require.Equal(t, []string{"v1 cancelled", "v1 cancelled", "v2 cancelled", "v2 cancelled"}, reminderRows(e, apptID))
	e.ok(http.StatusOK, w.token, "POST", path("/appointments/%d/cancel", apptID), nil) // again: a no-op
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", path("/appointments/%d/move", apptID), map[string]any{"at": "2026-03-12T14:30:00Z"})
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", path("/appointments/999999"), nil)

	sched := fmt.Sprintf("schedule %d", apptID)
	require.Equal(t, []string{sched, sched}, e.reminders.Calls(), "a cancel needs no call: the store cancelled the reminders")
	require.Equal(t, []string{care.AuditAppointmentCreate, care.AuditAppointmentMove, care.AuditAppointmentCancel},
		e.audit("appointment", apptID, w.manager.ID), "a repeated cancel records nothing")
}

func TestCheckInSchedules(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	kase := path("/cases/%d", w.kase.ID)

	e.refuses(w.token, kase+"/schedules", []invalid{
		{map[string]any{"time": "09:00"}, "weekday"},
		{map[string]any{"weekday": "funday", "time": "09:00"}, "weekday"},
		{map[string]any{"weekday": "monday", "time": "25:00"}, "time"},
		{map[string]any{"weekday": "monday", "time": "09:00", "window_minutes": 0}, "window_minutes"},
		{map[string]any{"weekday": "monday", "time": "09:00", "window_minutes": 20161}, "window_minutes"},
	})

	sc := e.ok(http.StatusCreated, w.token, "POST", kase+"/schedules", map[string]any{"weekday": "Monday", "time": "09:00"})
	require.Equal(t, "monday", sc["weekday"])
	require.Equal(t, "09:00", sc["time"])
	require.Equal(t, float64(48*60), sc["window_minutes"], "48 hours unless told")
	second := e.ok(http.StatusCreated, w.token, "POST", kase+"/schedules", map[string]any{"weekday": "thu", "time": "16:30", "window_minutes": 1440})
	require.Equal(t, "thursday", second["weekday"])

	page1 := e.ok(http.StatusOK, w.token, "GET", kase+"/schedules?limit=1", nil)
	require.Equal(t, []any{sc}, page1["items"])
	page2 := e.ok(http.StatusOK, w.token, "GET", kase+"/schedules?limit=1&cursor="+page1["next"].(string), nil)
	require.Equal(t, []any{second}, page2["items"])
	require.Nil(t, page2["next"])

	// Deactivating cancels the check-ins not sent yet; one already sent can still be answered.
	pending := &care.CheckIn{ScheduleID: care.ScheduleID(id(sc, "id")), CaseID: w.kase.ID, PersonID: w.person.ID,
		DueAt: start.Add(7 * 24 * time.Hour), RetryAt: start.Add(8 * 24 * time.Hour), DeadlineAt: start.Add(9 * 24 * time.Hour)}
	sent := *pending
	sent.DueAt, sent.Status = start.Add(-time.Hour), care.CheckInSent
	require.NoError(t, storetest.CreateCheckIn(e.ctx, e.s, pending))
	require.NoError(t, storetest.CreateCheckIn(e.ctx, e.s, &sent))
	off := e.ok(http.StatusOK, w.token, "POST", path("/schedules/%d/deactivate", id(sc, "id")), nil)
	require.Equal(t, false, off["active"])
	got, err := storetest.CheckIn(e.ctx, e.s, pending.ID)
	require.NoError(t, err)
	require.Equal(t, care.CheckInCancelled, got.Status)
	got, err = storetest.CheckIn(e.ctx, e.s, sent.ID)
	require.NoError(t, err)
	require.Equal(t, care.CheckInSent, got.Status)
	e.ok(http.StatusOK, w.token, "POST", path("/schedules/%d/deactivate", id(sc, "id")), nil) // again: a no-op
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "POST", path("/schedules/999999/deactivate"), nil)
	require.Equal(t, []string{care.AuditScheduleCreate, care.AuditScheduleDeactivate}, e.audit("schedule", id(sc, "id"), w.manager.ID))
}
