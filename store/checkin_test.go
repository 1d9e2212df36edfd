package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func (e *env) schedule(w world) *care.CheckInSchedule {
	e.t.Helper()
	sc := &care.CheckInSchedule{CaseID: w.kase.ID, Weekday: time.Monday, Minute: 9 * 60, Active: true}
	require.NoError(e.t, e.s.CreateSchedule(e.ctx, sc))
	return sc
}

func (e *env) checkIn(w world, sc *care.CheckInSchedule, due time.Time, status care.CheckInStatus) *care.CheckIn {
	e.t.Helper()
	c := &care.CheckIn{ScheduleID: sc.ID, CaseID: w.kase.ID, PersonID: w.person.ID, DueAt: due,
		RetryAt: due.Add(24 * time.Hour), DeadlineAt: due.Add(48 * time.Hour), Status: status}
	require.NoError(e.t, storetest.CreateCheckIn(e.ctx, e.s, c))
	return c
}

func TestScheduleRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	tests := []struct {
		name string
		in   care.CheckInSchedule
		want time.Duration
	}{
		{"default window", care.CheckInSchedule{Weekday: time.Monday, Minute: 9 * 60, Active: true}, 48 * time.Hour},
		{"own window, inactive", care.CheckInSchedule{Weekday: time.Saturday, Minute: 1439, Window: 90 * time.Minute}, 90 * time.Minute},
		{"sunday midnight", care.CheckInSchedule{Weekday: time.Sunday, Minute: 0, Window: time.Hour, Active: true}, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := tt.in
			sc.CaseID = w.kase.ID
			require.NoError(t, e.s.CreateSchedule(e.ctx, &sc))
			require.NotZero(t, sc.ID)
			require.Equal(t, tt.want, sc.Window)
			require.Equal(t, start, sc.CreatedAt)
			got, err := e.s.Schedule(e.ctx, sc.ID)
			require.NoError(t, err)
			require.Equal(t, &sc, got)
		})
	}
	_, err := e.s.Schedule(e.ctx, 424242)
	requireCode(t, care.ENOTFOUND, err)
	requireCode(t, care.EINVALID, e.s.CreateSchedule(e.ctx, &care.CheckInSchedule{CaseID: w.kase.ID, Minute: 1440}))
	requireCode(t, care.EINVALID, e.s.CreateSchedule(e.ctx, &care.CheckInSchedule{CaseID: w.kase.ID, Window: 90 * time.Second}))
	requireCode(t, care.EINVALID, e.s.CreateSchedule(e.ctx, &care.CheckInSchedule{CaseID: w.kase.ID, Weekday: 7}))
}

func TestCheckInRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	sc := e.schedule(w)
	due := time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC)
	answered := due.Add(time.Hour)
	tests := []struct {
		name string
		c    care.CheckIn
	}{
		{"pending by default", care.CheckIn{DueAt: due, RetryAt: due.Add(24 * time.Hour), DeadlineAt: due.Add(48 * time.Hour)}},
		{"answered", care.CheckIn{DueAt: due.Add(-7 * 24 * time.Hour), RetryAt: due, DeadlineAt: due.Add(time.Hour),
			Status: care.CheckInFine, AnsweredAt: &answered}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.ScheduleID, c.CaseID, c.PersonID = sc.ID, w.kase.ID, w.person.ID
			require.NoError(t, storetest.CreateCheckIn(e.ctx, e.s, &c))
			require.NotZero(t, c.ID)
			got, err := storetest.CheckIn(e.ctx, e.s, c.ID)
			require.NoError(t, err)
			if tt.c.Status == "" {
				require.Equal(t, care.CheckInPending, got.Status)
			}
			require.Equal(t, &c, got)
		})
	}

	_, err := storetest.CheckIn(e.ctx, e.s, 424242)
	requireCode(t, care.ENOTFOUND, err)
	dup := &care.CheckIn{ScheduleID: sc.ID, CaseID: w.kase.ID, PersonID: w.person.ID, DueAt: due, RetryAt: due, DeadlineAt: due}
	requireCode(t, care.ECONFLICT, storetest.CreateCheckIn(e.ctx, e.s, dup))
	backwards := &care.CheckIn{ScheduleID: sc.ID, CaseID: w.kase.ID, PersonID: w.person.ID, DueAt: due.Add(time.Hour), RetryAt: due, DeadlineAt: due}
	requireCode(t, care.EINVALID, storetest.CreateCheckIn(e.ctx, e.s, backwards))
}
func TestAnswerCheckIn(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	sc := e.schedule(w)
	due := time.Date(2026, 3, 9, 2, 0, 0, 0, time.UTC)
	at := due.Add(3 * time.Hour)
	tests := []struct {
		name   string
		status care.CheckInStatus // of the check-in before the answer
		answer care.CheckInStatus
		code   string
	}{
		{"pending answered fine", care.CheckInPending, care.CheckInFine, ""},
		{"sent answered need help", care.CheckInSent, care.CheckInNeedHelp, ""},
		{"retried answered fine", care.CheckInRetried, care.CheckInFine, ""},
		{"already fine", care.CheckInFine, care.CheckInNeedHelp, care.ECONFLICT},
		{"already need help", care.CheckInNeedHelp, care.CheckInFine, care.ECONFLICT},
		{"missed", care.CheckInMissed, care.CheckInFine, care.ECONFLICT},
		{"cancelled", care.CheckInCancelled, care.CheckInFine, care.ECONFLICT},
		{"answer that is not an answer", care.CheckInSent, care.CheckInMissed, care.EINVALID},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.checkIn(w, sc, due.Add(time.Duration(i)*7*24*time.Hour), tt.status)
			err := storetest.AnswerCheckIn(e.ctx, e.s, c.ID, tt.answer, at)
			got, gerr := storetest.CheckIn(e.ctx, e.s, c.ID)
			require.NoError(t, gerr)
			if tt.code != "" {
				requireCode(t, tt.code, err)
				require.Equal(t, c, got, "a refused answer changes nothing")
				return
			}
			require.NoError(t, err)
			c.Status, c.AnsweredAt = tt.answer, &at
			require.Equal(t, c, got)
			requireCode(t, care.ECONFLICT, storetest.AnswerCheckIn(e.ctx, e.s, c.ID, tt.answer, at)) // answering twice
		})
	}
	requireCode(t, care.ENOTFOUND, storetest.AnswerCheckIn(e.ctx, e.s, 424242, care.CheckInFine, at))
}
