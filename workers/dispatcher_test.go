package workers_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/workers"
)

// redisEnv is an env whose dispatcher and follow-ups go through a real Redis.
type redisEnv struct {
	*env
	rdb   *redis.Client
	insp  *asynq.Inspector
	disp  *workers.Dispatcher
	queue *workers.Queue
}

func setupRedis(t *testing.T) *redisEnv {
	opt := redisDB(t)
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	queue := workers.NewQueue(client, 0)
	e := setup(t, func(d *workers.Deps) { d.Enqueuer = queue })
	r := &redisEnv{env: e, queue: queue, insp: asynq.NewInspector(opt),
		rdb: redis.NewClient(&redis.Options{Addr: opt.Addr, DB: opt.DB})}
	t.Cleanup(func() { r.insp.Close(); r.rdb.Close() })
	d, err := workers.NewDispatcher(e.deps, queue)
	require.NoError(t, err)
	r.disp = d
	return r
}

// pass steps the clock to t and makes one dispatcher pass into Redis.
func (r *redisEnv) pass(t time.Time) workers.PassStats {
	r.t.Helper()
	r.clock.Set(t)
	st, err := r.disp.Pass(r.ctx)
	require.NoError(r.t, err)
	require.True(r.t, st.Locked)
	return st
}

// pending lists the tasks Redis holds ready to run. A client registers a queue's name only
// once, so after a flush the Inspector would not see the queue: the test registers them (a
// server reads its configured queues, registered or not).
func (r *redisEnv) pending() []*asynq.TaskInfo {
	r.t.Helper()
	var out []*asynq.TaskInfo
	for q := range workers.Queues {
		require.NoError(r.t, r.rdb.SAdd(r.ctx, "asynq:queues", q).Err())
		tasks, err := r.insp.ListPendingTasks(q, asynq.PageSize(1000))
		require.NoError(r.t, err)
		out = append(out, tasks...)
	}
	return out
}

// runOne runs a task Redis held through the mux and removes it, as a server would.
func (r *redisEnv) runOne(ti *asynq.TaskInfo) {
	r.t.Helper()
	require.NoError(r.t, r.mux.ProcessTask(r.ctx, asynq.NewTask(ti.Type, ti.Payload)), ti.ID)
	err := r.insp.DeleteTask(ti.Queue, ti.ID)
	if err != nil && !errors.Is(err, asynq.ErrTaskNotFound) && !errors.Is(err, asynq.ErrQueueNotFound) {
		require.NoError(r.t, err)
	}
}

// drain runs what Redis holds, and what that queues, until nothing is left.
func (r *redisEnv) drain() {
	r.t.Helper()
	for range 20 {
		tasks := r.pending()
		if len(tasks) == 0 {
			return
		}
		for _, ti := range tasks {
			r.runOne(ti)
		}
	}
	r.t.Fatal("Redis never drained")
}

func (r *redisEnv) flush() {
	r.t.Helper()
	require.NoError(r.t, r.rdb.FlushDB(r.ctx).Err())
}

func TestFlushedRedisRefillsAndEveryPieceOfWorkGoesOnce(t *testing.T) {
	r := setupRedis(t)
	deaf := r.person("deaf", "vi", false)
	blind := r.person("blind", "vi", false)
	appt := start.Add(26 * time.Hour) // Tuesday 10:00: reminders due at start+2h and start+24h
	r.appointment(deaf, appt, "UBND xa")
	r.appointment(blind, appt, "UBND xa")
	weekly := r.person("", "vi", false)
	r.schedule(weekly, time.Monday, 9, 0) // due at start+1h
	// A check-in sent two days ago whose deadline passed while nobody was watching.
	overdue := r.person("", "vi", false)
	sched := &care.CheckInSchedule{CaseID: overdue.Case, Weekday: time.Saturday, Minute: 9 * 60} // stopped since
	require.NoError(t, r.st.CreateSchedule(r.ctx, sched))
	r.checkIn(overdue, sched.ID, care.CheckInRetried, start.Add(-50*time.Hour), start.Add(-26*time.Hour), start.Add(-2*time.Hour))
	// A help request escalation the flow wrote but nobody was told of yet.
	asker := r.person("", "vi", false)
	helpEsc := r.askHelp(asker, care.HelpRequest{Category: care.HelpHealth, Channel: care.ChannelSMS}, false, start.Add(24*time.Hour))

	r.pass(start) // the schedule's next occurrence is noted; its row is written once due
	r.flush()
	now := start.Add(2 * time.Hour)
	st := r.pass(now)
	require.Equal(t, 1, st.CheckIns)
	require.Len(t, r.pending(), 4, "the two reminders' batch, a check-in to send, a deadline, an escalation")
	far := r.int64(`SELECT extract(epoch FROM due_at)::bigint FROM reminder WHERE offset_minutes = 120 LIMIT 1`)
	_, err := r.insp.GetTaskInfo(workers.QueueDefault, "reminders:0@"+strconv.FormatInt(far, 10))
	require.ErrorIs(t, err, asynq.ErrTaskNotFound, "Redis holds only what is due within the window")
	scheduled, err := r.insp.ListScheduledTasks(workers.QueueDefault)
	require.NoError(t, err)
	require.Empty(t, scheduled, "Redis holds only what is due within the window")

	r.flush() // Redis lost everything before any worker ran
	require.Empty(t, r.pending())
	r.pass(now)
	r.drain()
	r.pass(now.Add(5 * time.Second)) // the next pass finds nothing left to do
	r.drain()

	require.Len(t, r.sender.to(deaf.Phone), 1)
	require.Len(t, r.sender.to(blind.Phone), 1)
	require.True(t, r.sender.to(blind.Phone)[0].Call)
	require.Len(t, r.sender.to(weekly.Phone), 1)
	require.Equal(t, "missed", r.str(`SELECT status FROM checkin WHERE person_id = $1`, overdue.ID))
	missed := r.int64(`SELECT id FROM escalation WHERE reason = 'checkin_missed' AND person_id = $1`, overdue.ID)
	mgr := map[string]int{}
	for _, d := range r.sender.to(r.mgr.Phone) {
		mgr[d.Body]++
	}
	require.Len(t, mgr, 2, "the case manager hears of both escalations")
	for body, n := range mgr {
		require.Equal(t, 1, n, body)
	}
	require.Contains(t, mgr, "Caseline #"+strconv.FormatInt(missed, 10)+": Nguyen Van An "+string(overdue.Phone)+
		" khong tra loi hoi tham. Tra loi XN "+strconv.FormatInt(missed, 10))
	require.EqualValues(t, 1, r.int64(`SELECT count(*) FROM escalation_notice WHERE escalation_id = $1`, helpEsc))

	// Mid-run this time: one task ran, then Redis was wiped with the rest still queued.
	later := appt.Add(-2 * time.Hour)
	r.pass(later)
	tasks := r.pending()
	require.Len(t, tasks, 1, "the two 2 h reminders, in one batch")
	r.runOne(tasks[0]) // their messages are queued in PostgreSQL and their batch in Redis
	r.flush()
	r.pass(later.Add(5 * time.Second))
	r.drain()
	r.pass(later.Add(10 * time.Second))
	r.drain()
	require.Len(t, r.sender.to(deaf.Phone), 2)
	require.Len(t, r.sender.to(blind.Phone), 2)
	require.Len(t, r.sender.all(), 2+2+1+2, "reminders, the check-in, the case manager's two SMS: each once")
}

func TestOnlyOneDispatcherPassesAtATime(t *testing.T) {
	e := setup(t)
	unlock, ok, err := e.st.LockDispatch(e.ctx)
	require.NoError(t, err)
	require.True(t, ok)
	d, err := workers.NewDispatcher(e.deps, &collector{})
	require.NoError(t, err)
	st, err := d.Pass(e.ctx)
	require.NoError(t, err)
	require.False(t, st.Locked, "another replica holds the lock")
	unlock()
	st, err = d.Pass(e.ctx)
	require.NoError(t, err)
	require.True(t, st.Locked)
}

func TestTaskIDsComeFromRowKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		it   care.DueItem
		want string
	}{
		{care.DueItem{Kind: care.WorkReminders, ID: 512, N: care.BatchSpan}, "reminders:512"},
		{care.DueItem{Kind: care.WorkReminders, ID: 512, N: care.BatchSpan, At: time.Unix(1000, 0)}, "reminders:512@1000"},
		{care.DueItem{Kind: care.WorkCheckIn, ID: 7, Stage: care.StageRetry}, "checkin:7:retry"},
		{care.DueItem{Kind: care.WorkEscalation, ID: 9, Stage: care.StageNotify, N: 1}, "esc:9:1"},
		{care.DueItem{Kind: care.WorkEscalation, ID: 9, Stage: care.StageResolved}, "esc:9:resolved"},
		{care.DueItem{Kind: care.WorkMessages, ID: 256, Stage: "twilio", N: care.BatchSpan, At: time.Unix(1000, 0)}, "msgs:twilio:256@1000"},
		{care.DueItem{Kind: care.WorkUnfinished, ID: 5}, "unfinished:5"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, workers.TaskID(tt.it))
	}
}

func TestConfigureAddsTheWorkersQueues(t *testing.T) {
	t.Parallel()
	cfg := workers.Configure(asynq.Config{Queues: map[string]int{"default": 5, "low": 1}})
	require.Equal(t, map[string]int{"default": 5, "low": 1, workers.QueueCritical: 6, workers.QueueOutbox: 3}, cfg.Queues)
	require.NotNil(t, cfg.RetryDelayFunc)
	require.LessOrEqual(t, cfg.RetryDelayFunc(50, nil, nil), time.Minute)
	require.Equal(t, 500*time.Millisecond, cfg.DelayedTaskCheckInterval)
}
