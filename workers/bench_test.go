package workers_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
	"github.com/caseline/caseline/workers"
)

// countingSender accepts everything and counts, for throughput runs.
type countingSender struct{ n atomic.Int64 }

func (s *countingSender) SendSMS(context.Context, care.Phone, string) (string, error) {
	return "SM" + strconv.FormatInt(s.n.Add(1), 10), nil
}

func (s *countingSender) Call(context.Context, care.Phone, string) (string, error) {
	return "CA" + strconv.FormatInt(s.n.Add(1), 10), nil
}

// BenchmarkRemindersDueAtOnce measures end to end throughput: REMINDERS (default 2000)
// reminders due at once go through the dispatcher, a real asynq server on Redis and the
// outbox to a provider that accepts at once. It reports reminders per second.
//
//	go test ./workers -run '^$' -bench RemindersDueAtOnce -benchtime 1x
func BenchmarkRemindersDueAtOnce(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("REMINDERS")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		b.StopTimer()
		ctx := context.Background()
		pool := storetest.NewPool(b)
		st := store.New(pool, care.SystemClock{})
		now := time.Now()
		benchPeople(b, pool, n)
		_, err := pool.Exec(ctx, `
			WITH a AS (INSERT INTO appointment (case_id, person_id, at, place)
				SELECT id, person_id, $1::timestamptz + interval '2 hours', 'X' FROM care_case RETURNING id)
			INSERT INTO reminder (appointment_id, version, offset_minutes, due_at) SELECT a.id, 1, 120, $1 FROM a`, now)
		require.NoError(b, err)

		opt := redisDB(b)
		client := asynq.NewClient(opt)
		queue := workers.NewQueue(client, 0)
		sender := &countingSender{}
		deps := workers.Deps{
			Store: st, Senders: map[care.Provider]care.Sender{care.ProviderTwilio: sender},
			Clock: care.SystemClock{}, Log: zerolog.Nop(), PublicBaseURL: "http://127.0.0.1",
			Enqueuer: queue, DispatchInterval: 500 * time.Millisecond, DispatchLimit: 5000,
			// On the wall clock at any hour: no quiet hours (see newBenchWorld).
			Reminders: care.ReminderPlan{Quiet: care.QuietHours{Start: 1, End: 1}},
		}
		mux, err := workers.NewMux(deps)
		require.NoError(b, err)
		d, err := workers.NewDispatcher(deps, queue)
		require.NoError(b, err)
		srv := asynq.NewServer(opt, workers.ServerConfig(zerolog.Nop(), benchConcurrency()))
		runCtx, stop := context.WithCancel(ctx)
		b.StartTimer()
		began := time.Now()
		require.NoError(b, srv.Start(mux))
		go d.Run(runCtx)
		last := time.Now()
		for sender.n.Load() < int64(n) {
			if os.Getenv("TRACE") != "" && time.Since(last) > 500*time.Millisecond {
				last = time.Now()
				var pend, done int64
				_ = pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'done') FROM reminder`).Scan(&pend, &done)
				fmt.Fprintf(os.Stderr, "%5.1fs sent %d reminders pending %d done %d\n", time.Since(began).Seconds(), sender.n.Load(), pend, done)
			}
			if time.Since(began) > 5*time.Minute {
				b.Fatalf("only %d of %d sent", sender.n.Load(), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		elapsed := time.Since(began)
		b.StopTimer()
		stop()
		srv.Shutdown()
		client.Close()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "reminders/s")
		fmt.Fprintf(os.Stderr, "%d reminders in %s\n", n, elapsed)
	}
}

// benchConcurrency is CONCURRENCY, or 16.
func benchConcurrency() int {
	if v, err := strconv.Atoi(os.Getenv("CONCURRENCY")); err == nil && v > 0 {
		return v
	}
	return 16
}
