package spool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/caseline/caseline/gateway/spool"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// down is the engine while the database is away.
func down() *gatewaytest.Engine {
	return &gatewaytest.Engine{Err: errors.New("begin turn: acquire: dial tcp 127.0.0.1:5432: connection refused")}
}

// refused is the engine refusing the input itself.
func refused() *gatewaytest.Engine {
	return &gatewaytest.Engine{Err: care.FieldError("phone", "phone must be E.164")}
}

type env struct {
	t      *testing.T
	ctx    context.Context
	dir    string
	pool   *pgxpool.Pool
	st     *store.Store
	engine *flows.Engine
	clock  *caretest.Clock
}

func setup(t *testing.T) *env {
	t.Helper()
	t.Parallel()
	pool := storetest.NewPool(t)
	clock := caretest.NewClock(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
	st := store.New(pool, clock)
	return &env{t: t, ctx: context.Background(), dir: t.TempDir(), pool: pool, st: st, clock: clock,
		engine: flows.NewEngine(flows.Deps{Turns: st, Clock: clock})}
}

func (e *env) open() (*spool.Spool, *prometheus.Registry) {
	e.t.Helper()
	reg := prometheus.NewRegistry()
	sp, err := spool.Open(e.dir, e.clock, reg, zerolog.Nop())
	require.NoError(e.t, err)
	e.t.Cleanup(func() { sp.Close() })
	return sp, reg
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	require.NoError(e.t, e.pool.QueryRow(e.ctx, sql, args...).Scan(&n))
	return n
}

// replayAll runs the replayer until the spool is empty.
func (e *env) replayAll(sp *spool.Spool) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { defer close(done); sp.Replay(ctx, e.engine, e.st) }()
	deadline := time.Now().Add(10 * time.Second)
	for sp.Depth() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	require.Zero(e.t, sp.Depth())
}

func sms(id, text string) flows.Input {
	return flows.Input{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: "+84987000001", ProviderID: id, Text: text}
}

// A message whose turn the database could not take is spooled durably, survives a restart,
// and is handled once the database is back, with its reply queued for the workers; messages
// of the same number wait behind it; replaying again does nothing twice.
func TestSpooledMessagesAreReplayedOnceInOrderAfterARestart(t *testing.T) {
	e := setup(t)
	sp, reg := e.open()
	_, spooled, err := sp.Turn(e.ctx, down(), sms("SM1", "MENU"))
	require.NoError(t, err)
	require.True(t, spooled)
	// The database is back, but the number's first message waits: the second goes behind it.
	_, spooled, err = sp.Turn(e.ctx, e.engine, sms("SM2", "3"))
	require.NoError(t, err)
	require.True(t, spooled)
	_, spooled, err = sp.Turn(e.ctx, down(), sms("SM1", "MENU")) // Twilio sent it again
	require.NoError(t, err)
	require.True(t, spooled)
	require.Equal(t, 2, sp.Depth())
	require.Equal(t, 2.0, gauge(t, reg, "caseline_spool_depth"))
	require.Zero(t, e.count(`SELECT count(*) FROM message`))

	// A refusal of the input itself is not spooled: spooling would not help it.
	other := sms("SM9", "x")
	other.Phone = "+84987000009"
	_, spooled, err = sp.Turn(e.ctx, refused(), other)
	require.Error(t, err)
	require.False(t, spooled)

	require.NoError(t, sp.Close()) // serve stops, and starts again
	sp, _ = e.open()
	require.Equal(t, 2, sp.Depth())
	e.replayAll(sp)
	require.Equal(t, 2, e.count(`SELECT count(*) FROM message WHERE direction = 'in'`))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM message WHERE direction = 'in' AND provider_id = 'SM1'
		AND id < (SELECT id FROM message WHERE provider_id = 'SM2')`), "in the order they came")
	require.Equal(t, 2, e.count(`SELECT count(*) FROM message WHERE direction = 'out' AND status = 'queued' AND provider = 'twilio'`),
		"each reply queued for the workers")
	require.Equal(t, "help/category", session(t, e.st, care.ChannelSMS, "+84987000001"))

	// Killed after the commit, before the file went: the next replay finds the turn done.
	_, spooled, err = sp.Turn(e.ctx, down(), sms("SM2", "3"))
	require.NoError(t, err)
	require.True(t, spooled)
	e.replayAll(sp)
	require.Equal(t, 2, e.count(`SELECT count(*) FROM message WHERE direction = 'in'`))
	require.Equal(t, 2, e.count(`SELECT count(*) FROM message WHERE direction = 'out'`))
	entries, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	for _, d := range entries {
		require.Equal(t, ".lock", d.Name())
	}
}

// A USSD or voice call cut off in the help flow becomes one call-back request after
// recovery, however often it is replayed; one cut off elsewhere, or at its first request,
// becomes nothing.
func TestAnInterruptedCallInTheHelpFlowIsCalledBack(t *testing.T) {
	e := setup(t)
	sp, _ := e.open()
	ussd := func(hop int, text string) flows.Input {
		in := flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: "+84987000002",
			SessionKey: "ATU1", ProviderID: "ATU1:" + string(rune('0'+hop)), Text: text, New: hop == 0}
		return in
	}
	for hop, text := range []string{"", "3"} { // dial, then "get help"
		_, err := e.engine.Handle(e.ctx, ussd(hop, text))
		require.NoError(t, err)
	}
	downErr := errors.New("commit turn: conn closed")
	sp.Interrupted(e.ctx, ussd(2, "1"), "3*1", downErr)
	sp.Interrupted(e.ctx, ussd(2, "1"), "3*1", downErr) // the aggregator retried the hop
	sp.Interrupted(e.ctx, flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking,
		Phone: "+84987000003", SessionKey: "ATU2", ProviderID: "ATU2:0", New: true}, "", downErr) // a dial: reached nothing
	sp.Interrupted(e.ctx, ussd(3, "1"), "3*1*1", care.FieldError("text", "bad")) // the input's fault: not spooled
	require.Equal(t, 2, sp.Depth())
	e.replayAll(sp)
	require.Equal(t, 1, e.count(`SELECT count(*) FROM help_request WHERE phone = '+84987000002'
		AND category = 'callback' AND description = 'call back: the line was interrupted' AND channel = 'ussd'`))
	require.Equal(t, 1, e.count(`SELECT count(*) FROM escalation e JOIN help_request h ON h.id = e.help_request_id
		WHERE h.phone = '+84987000002' AND e.status = 'open' AND NOT e.notified`), "it reaches a human")
	require.Zero(t, e.count(`SELECT count(*) FROM help_request WHERE phone = '+84987000003'`))

	sp.Interrupted(e.ctx, ussd(2, "1"), "3*1", downErr) // replayed again after a crash
	e.replayAll(sp)
	require.Equal(t, 1, e.count(`SELECT count(*) FROM help_request`))
}

// A call cut off after its category carries the request it held: its category, urgent for
// a safety matter, the unfinished mark cleared with the filing, so the workers' sweep of
// dropped help flows finds nothing more: one escalation for the attempt. When the sweep
// came first, the spool files nothing.
func TestAnInterruptedCallCarriesItsPendingRequestOnce(t *testing.T) {
	for _, sweepFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("sweep first %v", sweepFirst), func(t *testing.T) {
			e := setup(t)
			sp, _ := e.open()
			const caller = "+84987000004"
			ussd := func(hop int, text string) flows.Input {
				return flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: caller,
					SessionKey: "ATU4", ProviderID: fmt.Sprintf("ATU4:%d", hop), Text: text, New: hop == 0}
			}
			// Dial, get help, the safety category, no description, no commune; then "in
			// danger?" is answered while the database is away.
			for hop, text := range []string{"", "3", "5", "1", "1"} {
				_, err := e.engine.Handle(e.ctx, ussd(hop, text))
				require.NoError(t, err)
			}
			require.Equal(t, "help/danger", session(t, e.st, care.ChannelUSSD, "ATU4"))
			require.Equal(t, 1, e.count(`SELECT count(*) FROM dialog_session WHERE key = 'ATU4' AND help_started_at IS NOT NULL`))
			sweep := func() {
				items, err := e.st.DueUnfinished(e.ctx, e.clock.Now().Add(24*time.Hour), care.SessionLife{SMS: time.Hour, Dial: time.Minute}, 10)
				require.NoError(t, err)
				for _, it := range items {
					_, err := e.st.RunUnfinished(e.ctx, it.ID, e.clock.Now(), func(w care.UnfinishedWork) (care.UnfinishedResult, error) {
						h, ok := flows.PendingHelp(w.Session)
						require.True(t, ok)
						return care.UnfinishedResult{Report: &h, NextLevelAt: e.clock.Now().Add(time.Hour)}, nil
					})
					require.NoError(t, err)
				}
			}
			if sweepFirst {
				sweep()
				require.Equal(t, 1, e.count(`SELECT count(*) FROM escalation`))
			}
			sp.Interrupted(e.ctx, ussd(5, "1"), "3*5*1*1*1", errors.New("commit turn: conn closed"))
			e.replayAll(sp)
			sweep()
			require.Equal(t, 1, e.count(`SELECT count(*) FROM help_request WHERE phone = $1`, caller), "one request for the attempt")
			require.Equal(t, 1, e.count(`SELECT count(*) FROM escalation`), "one escalation for the attempt")
			require.Equal(t, 1, e.count(`SELECT count(*) FROM help_request h JOIN escalation x ON x.help_request_id = h.id
				WHERE h.category = 'abuse' AND x.urgent AND h.unfinished`), "its category, on the urgent ladder")
			require.Zero(t, e.count(`SELECT count(*) FROM dialog_session WHERE help_started_at IS NOT NULL`))
		})
	}
}

func TestASpoolDirectoryServesOneProcess(t *testing.T) {
	e := setup(t)
	e.open()
	_, err := spool.Open(e.dir, e.clock, prometheus.NewRegistry(), zerolog.Nop())
	require.ErrorContains(t, err, "in use by another process")
	_, err = spool.Open(filepath.Join(e.dir, "other"), e.clock, prometheus.NewRegistry(), zerolog.Nop())
	require.NoError(t, err)
}

func TestReceivedFitsOneSMS(t *testing.T) {
	t.Parallel()
	require.Equal(t, 1, flows.MeasureSMS(flows.StripDiacritics(spool.Received)).Segments)
}

func session(t *testing.T, st *store.Store, ch care.Channel, key string) string {
	t.Helper()
	d, err := st.DialogSession(context.Background(), ch, key)
	require.NoError(t, err)
	return d.Flow + "/" + d.State
}

// gauge reads a gauge of reg.
func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// hangs is the engine while the database hangs instead of refusing.
func hangs() *gatewaytest.Engine {
	return &gatewaytest.Engine{Answer: func(ctx context.Context, _ flows.Input) (flows.Reply, error) {
		<-ctx.Done()
		return flows.Reply{}, fmt.Errorf("begin turn: %w", ctx.Err())
	}}
}

// A database that hangs is spooled too, in time for the provider's own time-out.
func TestAHangingTurnIsSpooledInTime(t *testing.T) {
	e := setup(t)
	sp, _ := e.open()
	began := time.Now()
	_, spooled, err := sp.Turn(e.ctx, hangs(), sms("SM1", "MENU"))
	require.NoError(t, err)
	require.True(t, spooled)
	require.Less(t, time.Since(began), 10*time.Second)
}
