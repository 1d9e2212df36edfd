package care_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestReminderDueAtMovesEarlierOutOfQuietHours(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation(care.DefaultTimeZone)
	require.NoError(t, err)
	plan := care.DefaultReminderPlan(loc)
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, loc) }
	now := at(1, 12, 0)
	tests := []struct {
		name   string
		appt   time.Time
		offset time.Duration
		now    time.Time
		want   time.Time
		none   bool
	}{
		{"daytime stays", at(5, 10, 0), 24 * time.Hour, now, at(4, 10, 0), false},
		{"22:00 goes at 20:59", at(5, 0, 0), 2 * time.Hour, now, at(4, 20, 59), false},
		{"21:00 sharp is quiet", at(5, 23, 0), 2 * time.Hour, now, at(5, 20, 59), false},
		{"after midnight goes the evening before", at(5, 5, 0), 2 * time.Hour, now, at(4, 20, 59), false},
		{"07:00 is no longer quiet", at(5, 9, 0), 2 * time.Hour, now, at(5, 7, 0), false},
		{"20:59 stays", at(5, 22, 59), 2 * time.Hour, now, at(5, 20, 59), false},
		{"past goes now", at(1, 15, 0), 24 * time.Hour, now, now, false},
		{"past at night waits for the morning", at(2, 8, 0), 24 * time.Hour, at(1, 23, 0), at(2, 7, 0), false},
		{"past at night, appointment before morning: none", at(2, 6, 30), 2 * time.Hour, at(1, 23, 0), time.Time{}, true},
		{"appointment over: none", at(1, 11, 0), 2 * time.Hour, now, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := plan.DueAt(tt.appt, tt.offset, tt.now)
			require.Equal(t, !tt.none, ok)
			if ok {
				require.True(t, tt.want.Equal(got), "got %s, want %s", got.In(loc), tt.want)
				require.False(t, plan.Quiet.In(got, loc), "%s is in quiet hours", got.In(loc))
				if planned := tt.appt.Add(-tt.offset); !planned.Before(tt.now) {
					require.False(t, got.After(planned), "moved later")
				}
			}
		})
	}
}

func TestCheckInScheduleNext(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation(care.DefaultTimeZone)
	require.NoError(t, err)
	s := care.CheckInSchedule{Weekday: time.Monday, Minute: 9 * 60}
	mon9 := time.Date(2026, 3, 2, 9, 0, 0, 0, loc)
	require.Equal(t, mon9, s.Next(mon9.Add(-time.Hour), loc, false))
	require.Equal(t, mon9, s.Next(mon9, loc, true))
	require.Equal(t, mon9.AddDate(0, 0, 7), s.Next(mon9, loc, false))
	require.Equal(t, mon9.AddDate(0, 0, 7), s.Next(mon9.Add(time.Minute), loc, true))
	// Sunday 23:00 in UTC is already Monday in Hà Nội.
	require.Equal(t, mon9, s.Next(time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC), loc, false))
}
