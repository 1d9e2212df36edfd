package store_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

// queued writes an outbound SMS to p, queued and due at due.
func (e *env) queued(p *care.Person, key string, due time.Time) care.MessageID {
	e.t.Helper()
	m := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderTwilio,
		Phone: p.Phone, PersonID: p.ID, Body: key, Status: care.MsgQueued, IdempotencyKey: key, NextAttemptAt: &due}
	require.NoError(e.t, storetest.LogMessage(e.ctx, e.s, m))
	return m.ID
}

func TestClaimMessagesTakesEachDueMessageOnceAndSkipsOptedOutPeople(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	out := e.fx.Person(w.commune)
	out.Status = care.PersonOptedOut
	require.NoError(t, storetest.UpdatePerson(e.ctx, e.s, out))
	var due []care.MessageID
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		due = append(due, e.queued(w.person, k, start))
	}
	later := e.queued(w.person, "later", start.Add(time.Minute))
	skipped := e.queued(out, "opted-out", start)
	// A reply to a message the opted-out person sent answers their own conversation.
	reply := e.queued(out, "reply:twilio:SMx1", start)
	due = append(due, reply)
	providers := []care.Provider{care.ProviderTwilio}
	from := care.MessageID(care.BatchOf(int64(due[0])))

	// Concurrent claims of the same batch share its rows: each is taken exactly once.
	var (
		mu  sync.Mutex
		got = map[care.MessageID]int{}
		wg  sync.WaitGroup
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs, err := e.s.ClaimMessages(e.ctx, from, care.BatchSpan, providers, start, time.Minute, 2)
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				require.Equal(t, care.MsgSending, m.Status)
				require.Equal(t, 1, m.Attempts)
				got[m.ID]++
			}
		}()
	}
	wg.Wait()
	msgs, err := e.s.ClaimMessages(e.ctx, from, care.BatchSpan, providers, start, time.Minute, care.BatchSpan)
	require.NoError(t, err)
	for _, m := range msgs {
		got[m.ID]++
	}
	require.Len(t, got, len(due), "every due message, and neither the later one nor the opted-out person's (but their reply)")
	for _, id := range due {
		require.Equal(t, 1, got[id])
	}
	m, err := storetest.Message(e.ctx, e.s, skipped)
	require.NoError(t, err)
	require.Equal(t, care.MsgSkipped, m.Status)
	m, err = storetest.Message(e.ctx, e.s, later)
	require.NoError(t, err)
	require.Equal(t, care.MsgQueued, m.Status)
	none, err := e.s.ClaimMessages(e.ctx, from, care.BatchSpan, providers, start.Add(59*time.Second), time.Minute, care.BatchSpan)
	require.NoError(t, err)
	require.Empty(t, none, "the leases hold")
	none, err = e.s.ClaimMessages(e.ctx, from, care.BatchSpan, []care.Provider{care.ProviderAndroid}, start.Add(time.Hour), time.Minute, care.BatchSpan)
	require.NoError(t, err)
	require.Empty(t, none, "another provider's sender takes nothing of Twilio's")

	// Two are recorded sent (one with a stale attempt count, ignored); after the lease the
	// others and the later one are taken again, for a second attempt.
	require.NoError(t, e.s.RecordSentAll(e.ctx, []care.Sent{
		{ID: due[0], Attempts: 1, ProviderID: "SM1"}, {ID: due[1], Attempts: 7, ProviderID: "SM2"},
	}, start.Add(time.Second)))
	m, err = storetest.Message(e.ctx, e.s, due[0])
	require.NoError(t, err)
	require.Equal(t, "sent SM1", string(m.Status)+" "+m.ProviderID)
	msgs, err = e.s.ClaimMessages(e.ctx, from, care.BatchSpan, providers, start.Add(time.Minute), time.Minute, care.BatchSpan)
	require.NoError(t, err)
	require.Len(t, msgs, len(due)-1+1)
	for _, m := range msgs {
		if m.ID == later {
			require.Equal(t, 1, m.Attempts)
		} else {
			require.Equal(t, 2, m.Attempts, "attempt %d", m.ID)
		}
	}
}

func TestRunRemindersRecordsABatchInOneGo(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	plan := care.ReminderPlan{Offsets: []time.Duration{2 * time.Hour}, Quiet: care.QuietHours{Start: 1, End: 1}, Location: time.UTC}
	var ids []care.AppointmentID
	for range 3 {
		a := &care.Appointment{CaseID: w.kase.ID, PersonID: w.person.ID, At: start.Add(3 * time.Hour), Place: "UBND"}
		require.NoError(t, e.s.CreateAppointment(e.ctx, a))
		require.NoError(t, e.s.ScheduleReminders(e.ctx, a.ID, plan))
		ids = append(ids, a.ID)
	}
	require.NoError(t, e.s.CancelReminders(e.ctx, ids[2]))
	due := start.Add(time.Hour)
	items, err := e.s.DueWork(e.ctx, due, due.Add(time.Minute), nil, 100)
	require.NoError(t, err)
	require.Len(t, items, 1, "one batch")
	require.Equal(t, care.WorkReminders, items[0].Kind)
	require.Equal(t, care.BatchSpan, items[0].N)

	var seen []care.ReminderWork
	claim := care.Claim{Providers: []care.Provider{care.ProviderTwilio}, Lease: time.Minute}
	queued, err := e.s.RunReminders(e.ctx, care.ReminderID(items[0].ID), items[0].N, due, claim, func(rw care.ReminderWork) (care.ReminderResult, error) {
		seen = append(seen, rw)
		key := "reminder:test:" + string(rune('a'+len(seen)))
		return care.ReminderResult{Status: care.WorkDone, Sent: true, Messages: []care.Outgoing{{
			Key: key, PersonID: rw.Person.ID, Phone: rw.Person.Phone, Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Body: "x",
		}}}, nil
	})
	require.NoError(t, err)
	require.Len(t, seen, 2, "the cancelled one is not pending")
	require.Len(t, queued, 2)
	for i, rw := range seen {
		require.Equal(t, ids[i], rw.Appointment.ID)
		require.Equal(t, w.person.ID, rw.Person.ID)
		require.Equal(t, 2*time.Hour, rw.Reminder.Offset)
	}
	for _, q := range queued {
		m, err := storetest.Message(e.ctx, e.s, q.ID)
		require.NoError(t, err)
		require.Equal(t, "sending 1", string(m.Status)+" "+strconv.Itoa(m.Attempts), "written claimed for the first attempt")
		require.Equal(t, care.ProviderTwilio, q.Provider)
		require.NotNil(t, q.Claimed)
		require.Equal(t, []any{m.ID, m.Status, m.Attempts, m.Phone, m.PersonID, m.Body, m.IdempotencyKey},
			[]any{q.Claimed.ID, q.Claimed.Status, q.Claimed.Attempts, q.Claimed.Phone, q.Claimed.PersonID, q.Claimed.Body, q.Claimed.IdempotencyKey})
		require.Equal(t, due.Add(time.Minute).UTC(), m.NextAttemptAt.UTC(), "leased")
	}
	none, err := e.s.ClaimMessages(e.ctx, care.MessageID(care.BatchOf(int64(queued[0].ID))), care.BatchSpan,
		claim.Providers, due.Add(59*time.Second), time.Minute, care.BatchSpan)
	require.NoError(t, err)
	require.Empty(t, none, "nobody else claims them while the lease holds")
	again, err := e.s.RunReminders(e.ctx, care.ReminderID(items[0].ID), items[0].N, due, care.Claim{}, func(care.ReminderWork) (care.ReminderResult, error) {
		t.Fatal("a done reminder is not run again")
		return care.ReminderResult{}, nil
	})
	require.NoError(t, err)
	require.Empty(t, again)
	items, err = e.s.DueWork(e.ctx, due, due.Add(time.Minute), nil, 100)
	require.NoError(t, err)
	require.Empty(t, items)
}

func TestEnsureRemindersWritesWhatIsMissingInOneGo(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	plan := care.ReminderPlan{Offsets: []time.Duration{24 * time.Hour, 2 * time.Hour}, Quiet: care.QuietHours{Start: 1, End: 1}, Location: time.UTC}
	book := func(at time.Time) care.AppointmentID {
		a := &care.Appointment{CaseID: w.kase.ID, PersonID: w.person.ID, At: at, Place: "UBND"}
		require.NoError(t, e.s.CreateAppointment(e.ctx, a))
		return a.ID
	}
	soon := book(start.Add(3 * time.Hour))   // the 24 h reminder is late: it goes now
	moved := book(start.Add(30 * time.Hour)) // scheduled, then moved without rescheduling
	require.NoError(t, e.s.ScheduleReminders(e.ctx, moved, plan))
	_, err := e.s.MoveAppointmentAs(e.ctx, 0, moved, start.Add(40*time.Hour), "UBND")
	require.NoError(t, err)
	far := book(start.Add(30 * 24 * time.Hour)) // beyond until

	n, err := e.s.EnsureReminders(e.ctx, start, start.Add(50*time.Hour), plan, 100)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	n, err = e.s.EnsureReminders(e.ctx, start, start.Add(50*time.Hour), plan, 100)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left to write")

	due := func(id care.AppointmentID) map[int]time.Time {
		items, err := e.s.DueWork(e.ctx, start, start.Add(60*24*time.Hour), nil, 100)
		require.NoError(t, err)
		out := map[int]time.Time{}
		for _, it := range items {
			var got []care.ReminderWork
			_, err := e.s.RunReminders(e.ctx, care.ReminderID(it.ID), it.N, start.Add(60*24*time.Hour), care.Claim{}, func(rw care.ReminderWork) (care.ReminderResult, error) {
				got = append(got, rw)
				return care.ReminderResult{Status: rw.Reminder.Status}, nil // look, change nothing
			})
			require.NoError(t, err)
			for _, rw := range got {
				if rw.Appointment.ID == id {
					require.Equal(t, rw.Appointment.Version, rw.Reminder.Version, "only the current version's reminders are pending")
					out[int(rw.Reminder.Offset/time.Hour)] = rw.Reminder.DueAt.UTC()
				}
			}
		}
		return out
	}
	require.Equal(t, map[int]time.Time{24: start.UTC(), 2: start.Add(time.Hour).UTC()}, due(soon))
	require.Equal(t, map[int]time.Time{24: start.Add(16 * time.Hour).UTC(), 2: start.Add(38 * time.Hour).UTC()}, due(moved))
	require.Empty(t, due(far))
}
