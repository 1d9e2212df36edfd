package workers_test

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestRemindersGoAt24hAnd2hOnThePersonsChannel(t *testing.T) {
	e := setup(t)
	deaf := e.person("deaf", "vi", false)
	blind := e.person("blind", "en", false)
	appt := start.Add(72 * time.Hour).Add(2 * time.Hour) // Thursday 10:00
	e.appointment(deaf, appt, "Trạm y tế xã")
	blindAppt := e.appointment(blind, appt, "Commune health station")
	require.NoError(t, e.st.ScheduleReminders(e.ctx, blindAppt, care.DefaultReminderPlan(e.loc)), "scheduling twice")
	require.EqualValues(t, 4, e.int64(`SELECT count(*) FROM reminder WHERE status = 'pending'`), "two reminders each, once")

	e.at(appt.Add(-24*time.Hour - time.Minute))
	require.Empty(t, e.sender.all(), "nothing before T-24h")

	e.at(appt.Add(-24 * time.Hour))
	got := e.sender.to(deaf.Phone)
	require.Len(t, got, 1)
	require.False(t, got[0].Call, "deaf people are never called")
	require.Equal(t, "Caseline nhac lich hen ngay 05/03 luc 10:00 tai Tram y te xa. Tra loi 1: toi se den, 2: toi khong den duoc.", got[0].Body)
	calls := e.sender.to(blind.Phone)
	require.Len(t, calls, 1)
	require.True(t, calls[0].Call, "blind people are called")
	u, err := url.Parse(calls[0].Body)
	require.NoError(t, err)
	require.Equal(t, "caseline.example", u.Host)
	require.Equal(t, "/twilio/voice", u.Path)
	remID := e.int64(`SELECT id FROM reminder WHERE appointment_id = $1 AND offset_minutes = 1440`, blindAppt)
	require.Equal(t, "reminder:"+itoa(remID), u.Query().Get("about"))

	e.at(appt.Add(-2*time.Hour - time.Minute))
	require.Len(t, e.sender.to(deaf.Phone), 1)
	e.at(appt.Add(-2 * time.Hour))
	require.Len(t, e.sender.to(deaf.Phone), 2)
	require.Len(t, e.sender.to(blind.Phone), 2)
	require.True(t, e.sender.to(blind.Phone)[1].Call)

	e.at(appt.Add(time.Hour))
	require.Len(t, e.sender.all(), 4, "each reminder exactly once")
	require.EqualValues(t, 4, e.int64(`SELECT count(*) FROM reminder WHERE status = 'done' AND sent_at IS NOT NULL`))
}

func TestMovedOrCancelledAppointmentsSendNoStaleReminder(t *testing.T) {
	e := setup(t)
	moved := e.person("deaf", "en", false)
	unsynced := e.person("deaf", "en", false)
	cancelled := e.person("deaf", "en", false)
	appt := start.Add(54 * time.Hour) // Wednesday 14:00
	later := appt.Add(24 * time.Hour)
	m := e.appointment(moved, appt, "A")
	u := e.appointment(unsynced, appt, "B")
	c := e.appointment(cancelled, appt, "C")

	// Moved through the API, which reschedules; moved by someone who forgot to; cancelled.
	e.exec(`UPDATE appointment SET at = $2, version = version + 1 WHERE id = ANY($1)`, []int64{int64(m), int64(u)}, later)
	require.NoError(t, e.st.ScheduleReminders(e.ctx, m, care.DefaultReminderPlan(e.loc)))
	e.exec(`UPDATE appointment SET status = 'cancelled' WHERE id = $1`, c)
	require.NoError(t, e.st.CancelReminders(e.ctx, c))

	e.at(appt.Add(-24 * time.Hour))
	e.at(appt.Add(-2 * time.Hour))
	e.at(appt.Add(-time.Minute)) // the new 24 h reminder falls at the old appointment time
	require.Empty(t, e.sender.all(), "no reminder for the old time, none for the cancelled appointment")

	e.at(later.Add(-24 * time.Hour))
	e.at(later.Add(-2 * time.Hour))
	for _, p := range []person{moved, unsynced} {
		got := e.sender.to(p.Phone)
		require.Len(t, got, 2)
		require.Contains(t, got[0].Body, "appointment 05/03 at 14:00")
	}
	require.Empty(t, e.sender.to(cancelled.Phone))
	require.EqualValues(t, 0, e.int64(`SELECT count(*) FROM reminder r JOIN appointment a ON a.id = r.appointment_id
		WHERE r.version <> a.version AND r.sent_at IS NOT NULL`))
}

func TestQuietHoursMoveARemindersEarlier(t *testing.T) {
	e := setup(t)
	p := e.person("", "vi", false)
	// At 00:00 on Wednesday: the 2 h reminder would fall at 22:00 on Tuesday.
	appt := time.Date(2026, 3, 4, 0, 0, 0, 0, e.loc)
	id := e.appointment(p, appt, "")
	var due time.Time
	require.NoError(t, e.pool.QueryRow(e.ctx, `SELECT due_at FROM reminder WHERE appointment_id = $1 AND offset_minutes = 120`, id).Scan(&due))
	require.Equal(t, time.Date(2026, 3, 3, 20, 59, 0, 0, e.loc), due.In(e.loc))

	e.at(time.Date(2026, 3, 2, 20, 58, 0, 0, e.loc))
	require.Empty(t, e.sender.to(p.Phone))
	e.at(time.Date(2026, 3, 2, 20, 59, 0, 0, e.loc))
	require.Len(t, e.sender.to(p.Phone), 1, "the 24 h one: Tuesday 00:00 moved to Monday 20:59")
	e.at(time.Date(2026, 3, 3, 20, 58, 0, 0, e.loc))
	require.Len(t, e.sender.to(p.Phone), 1)
	e.at(time.Date(2026, 3, 3, 20, 59, 0, 0, e.loc))
	got := e.sender.to(p.Phone)
	require.Len(t, got, 2)
	for _, d := range got {
		lt := d.At.In(e.loc)
		require.False(t, lt.Hour() >= 21 || lt.Hour() < 7, "sent at %s, in quiet hours", lt)
	}
	e.at(time.Date(2026, 3, 3, 22, 0, 0, 0, e.loc))
	require.Len(t, e.sender.to(p.Phone), 2)
}

func TestOptedOutPeopleGetNothing(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", false)
	appt := start.Add(30 * time.Hour)
	e.appointment(p, appt, "X")
	e.exec(`UPDATE person SET status = 'opted_out' WHERE id = $1`, p.ID)
	e.schedule(p, time.Monday, 9, 0)
	e.at(start.Add(time.Hour))
	e.at(appt.Add(-2 * time.Hour))
	e.at(start.Add(72 * time.Hour))
	require.Empty(t, e.sender.all())
	require.EqualValues(t, 0, e.int64(`SELECT count(*) FROM reminder WHERE status = 'pending'`))
	require.Equal(t, "cancelled", e.str(`SELECT status FROM checkin`))
	require.EqualValues(t, 0, e.int64(`SELECT count(*) FROM escalation`))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestNoLateReminderWhenACloserOneIsComing: the service was down through the 24 h reminder
// and comes back half an hour before the 2 h one: the late reminder does not go, the 2 h
// one does — one reminder, not two within the hour.
func TestNoLateReminderWhenACloserOneIsComing(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", false)
	appt := start.Add(54 * time.Hour) // Wednesday 14:00
	e.appointment(p, appt, "Trạm y tế xã")
	e.at(appt.Add(-24*time.Hour - time.Hour)) // before the outage
	require.Empty(t, e.sender.to(p.Phone))
	e.at(appt.Add(-2*time.Hour - 30*time.Minute)) // back, with the 24 h reminder in the backlog
	require.Empty(t, e.sender.to(p.Phone), "a closer reminder is coming within the hour: the late one stays back")
	e.at(appt.Add(-2 * time.Hour))
	got := e.sender.to(p.Phone)
	require.Len(t, got, 1)
	require.Contains(t, got[0].Body, "luc 14:00")
	e.at(appt.Add(time.Hour))
	require.Len(t, e.sender.to(p.Phone), 1)
}

// TestNeverTwoRemindersWithinTheHour: a reminder went out, then the appointment was moved
// earlier, which makes a new late 24 h reminder due at once: it does not go ten minutes
// after the last one; the new 2 h reminder, later, does.
func TestNeverTwoRemindersWithinTheHour(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", false)
	appt := start.Add(54 * time.Hour) // Wednesday 14:00
	id := e.appointment(p, appt, "A")
	sent := appt.Add(-24 * time.Hour) // Tuesday 14:00
	e.at(sent)
	require.Len(t, e.sender.to(p.Phone), 1)
	moved := sent.Add(4 * time.Hour) // Tuesday 18:00
	e.clock.Set(sent.Add(10 * time.Minute))
	e.exec(`UPDATE appointment SET at = $2, version = version + 1 WHERE id = $1`, id, moved)
	require.NoError(t, e.st.ScheduleReminders(e.ctx, id, care.DefaultReminderPlan(e.loc)))
	e.at(sent.Add(10 * time.Minute))
	e.at(sent.Add(59 * time.Minute))
	require.Len(t, e.sender.to(p.Phone), 1, "not two reminders of one appointment within the hour")
	e.at(moved.Add(-2 * time.Hour))
	got := e.sender.to(p.Phone)
	require.Len(t, got, 2, "the closer reminder goes when due, more than an hour later")
	require.Contains(t, got[1].Body, "luc 18:00")
	require.GreaterOrEqual(t, got[1].At.Sub(got[0].At), care.ReminderGap)
}
