package workers_test

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
	"github.com/caseline/caseline/workers"
)

// queue writes an outbound SMS to p as a flow would: a queued row, due now, before any
// provider is called.
func (e *env) queue(p person, key, body string) care.MessageID {
	e.t.Helper()
	now := e.clock.Now()
	m := &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: p.Phone,
		PersonID: p.ID, Body: body, Status: care.MsgQueued, IdempotencyKey: key, NextAttemptAt: &now}
	require.NoError(e.t, storetest.LogMessage(e.ctx, e.st, m))
	return m.ID
}

func TestRetryableProviderErrorsBackOff(t *testing.T) {
	e := setup(t)
	p := e.person("", "vi", false)
	e.sender.fail = func(try int, _ care.Phone) error {
		switch try {
		case 1:
			return care.NewProviderError(care.ProviderTwilio, 503, "", "service unavailable", true)
		case 2:
			return care.NewProviderError(care.ProviderTwilio, 429, "20429", "too many requests", true)
		}
		return nil
	}
	id := e.queue(p, "test:1", "Xin chao")

	e.at(start)
	require.Empty(t, e.sender.all())
	require.Equal(t, "queued http_503 1", e.str(`SELECT status || ' ' || error_code || ' ' || attempts FROM message WHERE id = $1`, id))
	e.at(start.Add(29 * time.Second))
	require.Equal(t, 1, e.sender.tries, "backing off: no second try before 30 s")
	e.at(start.Add(30 * time.Second))
	require.Equal(t, 2, e.sender.tries)
	require.Equal(t, "queued 20429 2", e.str(`SELECT status || ' ' || error_code || ' ' || attempts FROM message WHERE id = $1`, id))
	e.at(start.Add(89 * time.Second))
	require.Equal(t, 2, e.sender.tries, "the second delay doubles to 60 s")
	e.at(start.Add(90 * time.Second))
	require.Len(t, e.sender.all(), 1)
	require.Equal(t, "sent SM00003 3", e.str(`SELECT status || ' ' || provider_id || ' ' || attempts FROM message WHERE id = $1`, id))
	e.at(start.Add(time.Hour))
	require.Equal(t, 3, e.sender.tries)
	require.EqualValues(t, 0, e.int64(`SELECT count(*) FROM escalation`))
}

func TestInvalidNumberIsNotRetriedAndTheCaseManagerIsTold(t *testing.T) {
	e := setup(t)
	p := e.person("", "vi", false)
	e.sender.fail = func(_ int, to care.Phone) error {
		if to == p.Phone {
			return care.NewProviderError(care.ProviderTwilio, 400, "21211", "invalid 'To' phone number", false)
		}
		return nil
	}
	id := e.queue(p, "test:1", "Xin chao")
	e.queue(p, "test:2", "Lan nua") // a second message fails too but opens no second escalation

	e.at(start)
	e.at(start.Add(time.Hour))
	require.Empty(t, e.sender.to(p.Phone))
	require.Equal(t, "failed 21211 1", e.str(`SELECT status || ' ' || error_code || ' ' || attempts FROM message WHERE id = $1`, id))
	require.Equal(t, "unreachable", e.str(`SELECT status FROM person WHERE id = $1`, p.ID))
	esc := e.int64(`SELECT id FROM escalation WHERE reason = 'unreachable' AND person_id = $1 AND case_id = $2`, p.ID, p.Case)
	mgr := e.sender.to(e.mgr.Phone)
	require.Len(t, mgr, 1)
	code := strconv.FormatInt(esc, 10)
	require.Equal(t, "Caseline #"+code+": khong lien lac duoc Nguyen Van An "+string(p.Phone)+". Tra loi XN "+code, mgr[0].Body)
	require.LessOrEqual(t, e.sender.tries, 3, "one try per message and the case manager's SMS")
	require.Equal(t, "skipped", e.str(`SELECT status FROM message WHERE idempotency_key = 'test:2'`),
		"once the number is known bad, the next message is not even tried")
}

func TestUnsubscribedPersonIsMarkedOptedOut(t *testing.T) {
	e := setup(t)
	p := e.person("", "en", false)
	e.sender.fail = func(_ int, to care.Phone) error {
		if to == p.Phone {
			return care.NewProviderError(care.ProviderTwilio, 400, "21610", "unsubscribed recipient", false)
		}
		return nil
	}
	e.queue(p, "test:1", "Hello")
	e.at(start)
	require.Equal(t, "opted_out", e.str(`SELECT status FROM person WHERE id = $1`, p.ID))
	require.Len(t, e.sender.to(e.mgr.Phone), 1)
	require.Contains(t, e.sender.to(e.mgr.Phone)[0].Body, "khong lien lac duoc", "in the case manager's language")
}

func TestAWorkerDeadMidSendRepeatsAtMostThatMessage(t *testing.T) {
	e := setup(t)
	p := e.person("", "vi", false)
	before := e.queue(p, "test:before", "killed before the call")
	after := e.queue(p, "test:after", "killed after the provider accepted")
	providers := []care.Provider{care.ProviderTwilio}

	// A worker claims the messages and dies after the provider accepted one of them, before
	// recording it; the other was never called.
	msgs, err := e.st.ClaimMessages(e.ctx, care.MessageID(care.BatchOf(int64(before))), care.BatchSpan, providers, start, time.Minute, care.BatchSpan)
	require.NoError(t, err)
	require.Len(t, msgs, 2)
	require.ElementsMatch(t, []care.MessageID{before, after}, []care.MessageID{msgs[0].ID, msgs[1].ID})
	_, err = e.sender.SendSMS(e.ctx, p.Phone, "killed after the provider accepted")
	require.NoError(t, err)

	// asynq redelivers the dead worker's batch: it finds both attempts taken and does nothing.
	e.clock.Set(start.Add(time.Second))
	e.process(care.DueItem{Kind: care.WorkMessages, ID: care.BatchOf(int64(before)), Stage: string(care.ProviderTwilio), N: care.BatchSpan})
	require.Len(t, e.sender.all(), 1)

	e.at(start.Add(59 * time.Second))
	require.Len(t, e.sender.all(), 1, "the lease still holds")
	e.at(start.Add(60 * time.Second))
	e.at(start.Add(time.Hour))
	bodies := map[string]int{}
	for _, d := range e.sender.all() {
		bodies[d.Body]++
	}
	require.Equal(t, map[string]int{"killed before the call": 1, "killed after the provider accepted": 2}, bodies)
	require.EqualValues(t, 2, e.int64(`SELECT count(*) FROM message WHERE status = 'sent' AND attempts = 2`))
}

func TestRateLimitHoldsAcrossConcurrentWorkers(t *testing.T) {
	const rate, n = 20, 30
	e := setup(t, func(d *workers.Deps) { d.RateLimit = rate })
	p := e.person("", "vi", false)
	for i := range n {
		e.queue(p, "test:"+strconv.Itoa(i), "x")
	}
	q := &collector{}
	d, err := workers.NewDispatcher(e.deps, q)
	require.NoError(t, err)
	_, err = d.Pass(e.ctx)
	require.NoError(t, err)
	items := q.take()
	require.Len(t, items, 1, "one batch")

	// The batch is delivered to ten workers at once (asynq delivers at least once): they
	// share the rows without sending any twice, and the limit holds across all their sends.
	work := make(chan care.DueItem)
	var wg sync.WaitGroup
	for range 10 { // the server's concurrency
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				e.process(it)
			}
		}()
	}
	for range 10 {
		work <- items[0]
	}
	close(work)
	wg.Wait()

	got := e.sender.all()
	require.Len(t, got, n)
	walls := make([]time.Time, n)
	for i, d := range got {
		walls[i] = d.Wall
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i].Before(walls[j]) })
	// rate+1 consecutive sends span at least a second (less a little scheduling jitter), so
	// no 1-second window holds more than the limit.
	for i := 0; i+rate < n; i++ {
		require.GreaterOrEqual(t, walls[i+rate].Sub(walls[i]), 900*time.Millisecond, "sends %d to %d", i, i+rate)
	}
	require.GreaterOrEqual(t, walls[n-1].Sub(walls[0]), time.Duration(n-2)*time.Second/rate)
}

func TestAMessageThatKeepsFailingGivesUpAndTellsTheCaseManager(t *testing.T) {
	e := setup(t, func(d *workers.Deps) { d.MaxAttempts = 2 })
	p := e.person("", "vi", false)
	e.sender.fail = func(_ int, to care.Phone) error {
		if to == p.Phone {
			return care.NewProviderError(care.ProviderTwilio, 500, "", "internal error", true)
		}
		return nil
	}
	id := e.queue(p, "test:1", "Xin chao")
	e.at(start)
	e.at(start.Add(30 * time.Second))
	e.at(start.Add(time.Hour))
	require.Equal(t, "failed http_500 2", e.str(`SELECT status || ' ' || error_code || ' ' || attempts FROM message WHERE id = $1`, id))
	require.Equal(t, "active", e.str(`SELECT status FROM person WHERE id = $1`, p.ID), "our provider failing says nothing about the number")
	require.Len(t, e.sender.to(e.mgr.Phone), 1)
}

func TestATurnPastTheTaskDeadlineGivesTheClaimBack(t *testing.T) {
	e := setup(t, func(d *workers.Deps) { d.RateLimit = 0.5 })
	p := e.person("", "vi", false)
	first := e.queue(p, "test:1", "one")
	batch := care.DueItem{Kind: care.WorkMessages, ID: care.BatchOf(int64(first)), Stage: string(care.ProviderTwilio), N: care.BatchSpan}
	e.process(batch)
	second := e.queue(p, "test:2", "two")

	// The next turn is two seconds away; the task has a tenth of one.
	ctx, cancel := context.WithTimeout(e.ctx, 100*time.Millisecond)
	defer cancel()
	task, _, err := workers.NewTask(batch, 0)
	require.NoError(t, err)
	require.NoError(t, e.mux.ProcessTask(ctx, task), "the turn is given back, not failed")
	require.Equal(t, "queued 0", e.str(`SELECT status || ' ' || attempts FROM message WHERE id = $1`, second), "given back as if never claimed")
	require.Len(t, e.sender.all(), 1)

	e.process(batch) // the next task, with time to wait
	require.Len(t, e.sender.all(), 2)
	require.Equal(t, "sent 1", e.str(`SELECT status || ' ' || attempts FROM message WHERE id = $1`, second))
}

func TestAReminderBatchDeadAfterItsCommitSendsOnceAfterTheLease(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", false)
	e.appointment(p, start.Add(26*time.Hour), "UBND xa") // its 24 h reminder is due at start+2h
	due := start.Add(2 * time.Hour)

	// A worker commits the reminder batch, its message written claimed for the first attempt,
	// and dies before calling the provider.
	claim := care.Claim{Providers: []care.Provider{care.ProviderTwilio}, Lease: time.Minute}
	queued, err := e.st.RunReminders(e.ctx, 0, care.BatchSpan, due, claim, func(rw care.ReminderWork) (care.ReminderResult, error) {
		return care.ReminderResult{Status: care.WorkDone, Sent: true, Messages: []care.Outgoing{{
			Key: "reminder:" + itoa(int64(rw.Reminder.ID)), PersonID: rw.Person.ID, Phone: rw.Person.Phone,
			Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Body: "killed before the call",
		}}}, nil
	})
	require.NoError(t, err)
	require.Len(t, queued, 1)
	require.NotNil(t, queued[0].Claimed)

	e.at(due.Add(59 * time.Second))
	require.Empty(t, e.sender.all(), "the lease still holds")
	e.at(due.Add(time.Minute))
	e.at(due.Add(time.Hour))
	require.Len(t, e.sender.to(p.Phone), 1)
	require.Equal(t, "killed before the call", e.sender.to(p.Phone)[0].Body)
	require.Equal(t, "sent 2", e.str(`SELECT status || ' ' || attempts FROM message WHERE id = $1`, queued[0].ID))
}
