package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

func (e *env) appointment(w world, at time.Time) *care.Appointment {
	e.t.Helper()
	a := &care.Appointment{CaseID: w.kase.ID, PersonID: w.person.ID, At: at, Place: "Trạm y tế xã", Purpose: "khám"}
	require.NoError(e.t, e.s.CreateAppointment(e.ctx, a))
	return a
}

// reminders returns the status of each reminder of an appointment, by version.
func (e *env) reminders(id care.AppointmentID) map[int]string {
	e.t.Helper()
	rows, err := e.s.Pool().Query(e.ctx, `SELECT version, status FROM reminder WHERE appointment_id = $1`, int64(id))
	require.NoError(e.t, err)
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int32
		var st string
		require.NoError(e.t, rows.Scan(&v, &st))
		out[int(v)] = st
	}
	require.NoError(e.t, rows.Err())
	return out
}

func (e *env) addReminder(id care.AppointmentID, version int, due time.Time) {
	e.t.Helper()
	_, err := e.s.Pool().Exec(e.ctx, `
		INSERT INTO reminder (appointment_id, version, offset_minutes, due_at) VALUES ($1, $2, 1440, $3)`,
		int64(id), version, due)
	require.NoError(e.t, err)
}

func TestAppointmentRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	at := time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)
	a := e.appointment(w, at)
	require.NotZero(t, a.ID)
	require.Equal(t, &care.Appointment{ID: a.ID, CaseID: w.kase.ID, PersonID: w.person.ID, At: at, Place: "Trạm y tế xã",
		Purpose: "khám", Status: care.AppointmentScheduled, Version: 1, CreatedAt: start, UpdatedAt: start}, a)
	got, err := e.s.Appointment(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got)

	_, err = e.s.Appointment(e.ctx, 424242)
	requireCode(t, care.ENOTFOUND, err)
	requireCode(t, care.EINVALID, e.s.CreateAppointment(e.ctx, &care.Appointment{CaseID: w.kase.ID, PersonID: w.person.ID}))
	requireCode(t, care.EINVALID, e.s.CreateAppointment(e.ctx, &care.Appointment{CaseID: w.kase.ID, PersonID: w.person.ID, At: at, Status: "later"}))
}

func TestMoveAppointment(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	a := e.appointment(w, time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC))
	e.addReminder(a.ID, 1, a.At.Add(-24*time.Hour))

	later := e.clock.Advance(time.Hour)
	newAt := time.Date(2026, 3, 6, 3, 0, 0, 0, time.UTC)
	moved, err := e.s.MoveAppointmentAs(e.ctx, 0, a.ID, newAt, "Nhà văn hóa thôn")
	require.NoError(t, err)
	want := *a
	want.At, want.Place, want.Version, want.UpdatedAt = newAt, "Nhà văn hóa thôn", 2, later
	require.Equal(t, &want, moved)
	got, err := e.s.Appointment(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, &want, got)
	require.Equal(t, map[int]string{1: "cancelled"}, e.reminders(a.ID), "the old version's reminder never goes")

	e.addReminder(a.ID, 2, newAt.Add(-24*time.Hour))
	moved, err = e.s.MoveAppointmentAs(e.ctx, 0, a.ID, newAt.Add(time.Hour), "")
	require.NoError(t, err)
	require.Equal(t, 3, moved.Version)
	require.Equal(t, map[int]string{1: "cancelled", 2: "cancelled"}, e.reminders(a.ID))

	_, err = e.s.MoveAppointmentAs(e.ctx, 0, 424242, newAt, "")
	requireCode(t, care.ENOTFOUND, err)
	require.NoError(t, e.s.CancelAppointmentAs(e.ctx, 0, a.ID))
	_, err = e.s.MoveAppointmentAs(e.ctx, 0, a.ID, newAt, "")
	requireCode(t, care.ECONFLICT, err)
}

func TestCancelAppointment(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	a := e.appointment(w, time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC))
	e.addReminder(a.ID, 1, a.At.Add(-2*time.Hour))

	later := e.clock.Advance(time.Hour)
	require.NoError(t, e.s.CancelAppointmentAs(e.ctx, 0, a.ID))
	got, err := e.s.Appointment(e.ctx, a.ID)
	require.NoError(t, err)
	want := *a
	want.Status, want.UpdatedAt = care.AppointmentCancelled, later
	require.Equal(t, &want, got)
	require.Equal(t, map[int]string{1: "cancelled"}, e.reminders(a.ID))

	require.NoError(t, e.s.CancelAppointmentAs(e.ctx, 0, a.ID), "cancelling twice is a no-op")
	requireCode(t, care.ENOTFOUND, e.s.CancelAppointmentAs(e.ctx, 0, 424242))

	done := e.appointment(w, a.At)
	_, err = e.s.Pool().Exec(e.ctx, `UPDATE appointment SET status = 'done' WHERE id = $1`, int64(done.ID))
	require.NoError(t, err)
	requireCode(t, care.ECONFLICT, e.s.CancelAppointmentAs(e.ctx, 0, done.ID))
}

// The next appointment a person hears of is the plan's (a turn's Plan): their earliest
// scheduled one after now.
func TestPlanShowsTheNextAppointment(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	plan := func(now time.Time) dialog.PlanView {
		t.Helper()
		turn, err := e.s.BeginTurn(e.ctx, dialog.TurnRequest{Channel: care.ChannelSMS, Key: w.person.Phone.E164(),
			Phone: w.person.Phone, Provider: care.ProviderTwilio, Now: now})
		require.NoError(t, err)
		defer turn.Rollback(e.ctx)
		v, err := turn.Plan(e.ctx, w.person.ID, w.kase.ID, now)
		require.NoError(t, err)
		return v
	}
	require.Nil(t, plan(now).NextAt)
	nextAt := func(now time.Time) time.Time {
		t.Helper()
		v := plan(now)
		require.NotNil(t, v.NextAt)
		return *v.NextAt
	}

	e.appointment(w, now.Add(-time.Hour)) // past
	cancelled := e.appointment(w, now.Add(time.Hour))
	require.NoError(t, e.s.CancelAppointmentAs(e.ctx, 0, cancelled.ID))
	later := e.appointment(w, now.Add(48*time.Hour))
	next := e.appointment(w, now.Add(2*time.Hour))
	other := e.fx.OpenCase(e.fx.Person(w.commune), w.manager)
	require.NoError(t, e.s.CreateAppointment(e.ctx, &care.Appointment{CaseID: other.ID, PersonID: other.PersonID, At: now.Add(time.Minute)}))

	require.True(t, next.At.Equal(nextAt(now)))
	require.Equal(t, next.Place, plan(now).NextPlace)
	require.True(t, later.At.Equal(nextAt(next.At)), "an appointment at now is not next")
}
