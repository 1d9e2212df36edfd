package workers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
	"github.com/caseline/caseline/workers"
)

// delivery is one message a provider accepted.
type delivery struct {
	Call bool
	To   care.Phone
	Body string // the SMS text, or the call's answer URL
	At   time.Time
	Wall time.Time
}

// sender is a fake provider (the outside world): it records what it accepted and can be
// told to refuse. The benchmarks put it behind a Twilio-shaped HTTP front (fakeTwilio).
type sender struct {
	clock care.Clock
	mu    sync.Mutex
	got   []delivery
	tries int
	// fail, when set, decides each try (numbered from 1): a non-nil error refuses it.
	fail func(try int, to care.Phone) error
	// afterAccept, when set, runs after a send was accepted, before the worker records it.
	afterAccept func()
}

func (s *sender) deliver(call bool, to care.Phone, body string) (string, error) {
	s.mu.Lock()
	s.tries++
	try := s.tries
	if s.fail != nil {
		if err := s.fail(try, to); err != nil {
			s.mu.Unlock()
			return "", err
		}
	}
	s.got = append(s.got, delivery{Call: call, To: to, Body: body, At: s.clock.Now(), Wall: time.Now()})
	after := s.afterAccept
	s.mu.Unlock()
	if after != nil {
		after()
	}
	return fmt.Sprintf("SM%05d", try), nil
}

func (s *sender) SendSMS(_ context.Context, to care.Phone, body string) (string, error) {
	return s.deliver(false, to, body)
}

func (s *sender) Call(_ context.Context, to care.Phone, answerURL string) (string, error) {
	return s.deliver(true, to, answerURL)
}

// to lists what was accepted for phone.
func (s *sender) to(phone care.Phone) []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []delivery
	for _, d := range s.got {
		if d.To == phone {
			out = append(out, d)
		}
	}
	return out
}

// count is how many sends were accepted.
func (s *sender) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func (s *sender) all() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivery(nil), s.got...)
}

// env is one test's world: its own database, clock, provider, and staff of one commune.
type env struct {
	t       *testing.T
	ctx     context.Context
	pool    *pgxpool.Pool
	st      *store.Store
	w       *storetest.World
	clock   *caretest.Clock
	sender  *sender
	deps    workers.Deps
	mux     *asynq.ServeMux
	loc     *time.Location
	commune care.CommuneCode
	mgr     *care.CaseManager // the case manager
	sup     *care.CaseManager // their supervisor
	duty    *care.CaseManager // the commune duty officer
}

// start is a Monday 08:00 in Hà Nội, in the past of the wall clock so that asynq processes
// every task it is given at once.
var start = time.Date(2026, 3, 2, 8, 0, 0, 0, hcm())

func hcm() *time.Location {
	loc, err := time.LoadLocation(care.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	return loc
}

func setup(t *testing.T, opts ...func(*workers.Deps)) *env {
	t.Helper()
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	e := &env{t: t, ctx: ctx, pool: pool, clock: caretest.NewClock(start), loc: hcm()}
	e.sender = &sender{clock: e.clock}
	e.st = store.New(pool, e.clock)
	e.w = storetest.NewWorld(t, e.st)
	e.commune = e.w.Commune("X1")
	e.duty = e.w.Staff(e.commune, care.RoleDutyOfficer, 0)
	e.sup = e.w.Staff(e.commune, care.RoleSupervisor, 0)
	e.mgr = e.w.Staff(e.commune, care.RoleCaseManager, e.sup.ID)
	require.NoError(t, e.st.SetDutyOfficer(ctx, e.commune, e.duty.ID))
	e.deps = workers.Deps{
		Store:         e.st,
		Senders:       map[care.Provider]care.Sender{care.ProviderTwilio: e.sender},
		Clock:         e.clock,
		Log:           zerolog.Nop(),
		Location:      e.loc,
		PublicBaseURL: "https://caseline.example/",
	}
	for _, o := range opts {
		o(&e.deps)
	}
	if e.deps.RateLimit > 0 && e.deps.Redis == nil {
		rdb := redis.NewClient(&redis.Options{Addr: storetest.RedisAddr, DB: storetest.NewRedisDB(t)})
		t.Cleanup(func() { rdb.Close() })
		e.deps.Redis = rdb
	}
	mux, err := workers.NewMux(e.deps)
	require.NoError(t, err)
	e.mux = mux
	return e
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	storetest.Exec(e.t, e.pool, sql, args...)
}

func (e *env) int64(sql string, args ...any) int64 {
	e.t.Helper()
	return storetest.One[int64](e.t, e.pool, sql, args...)
}

func (e *env) str(sql string, args ...any) string {
	e.t.Helper()
	return storetest.One[string](e.t, e.pool, sql, args...)
}

// person is a registered person with an open case managed by the commune's case manager.
type person struct {
	ID     care.PersonID
	Case   care.CaseID
	Phone  care.Phone
	Helper care.Phone // the caregiver's phone, when there is one
	c      *care.Case
}

// person registers someone with the given profile ("deaf", "blind" or "") and language,
// consenting now, with a consenting caregiver (Bà Hoa) when caregiver.
func (e *env) person(profile, lang string, caregiver bool) person {
	e.t.Helper()
	p := e.w.Person(e.commune, func(p *care.Person) {
		p.Language = care.Language(lang)
		if profile != "" {
			p.Profile = []care.Disability{care.Disability(profile)}
		}
		now := e.clock.Now()
		p.ConsentAt = &now
		p.CaregiverName = "Bà Hoa"
		if caregiver {
			p.CaregiverPhone, p.CaregiverConsent = e.w.Phone(), true
		}
	})
	c := e.w.OpenCase(p, e.mgr)
	return person{ID: p.ID, Case: c.ID, Phone: p.Phone, Helper: p.CaregiverPhone, c: c}
}

// appointment books p at at and schedules its reminders as the API would.
func (e *env) appointment(p person, at time.Time, place string) care.AppointmentID {
	e.t.Helper()
	id := e.w.Appointment(p.c, at, place).ID
	require.NoError(e.t, e.st.ScheduleReminders(e.ctx, id, care.DefaultReminderPlan(e.loc)))
	return id
}

// schedule starts weekly check-ins for p on weekday at hh:mm with a 48 h window.
func (e *env) schedule(p person, day time.Weekday, hh, mm int) care.ScheduleID {
	e.t.Helper()
	return e.w.Schedule(p.c, day, hh*60+mm).ID
}

// checkIn writes a check-in of p's schedule sc in status, as the workers left it.
func (e *env) checkIn(p person, sc care.ScheduleID, status care.CheckInStatus, due, retry, deadline time.Time) care.CheckInID {
	e.t.Helper()
	c := &care.CheckIn{ScheduleID: sc, CaseID: p.Case, PersonID: p.ID, DueAt: due, RetryAt: retry, DeadlineAt: deadline,
		Status: status}
	require.NoError(e.t, storetest.CreateCheckIn(e.ctx, e.st, c))
	return c.ID
}

// askHelp files h from p (the zero person: a caller who is not registered) in the commune
// and opens its escalation, climbing at next, as the Get help flow writes them before
// anyone is told.
func (e *env) askHelp(p person, h care.HelpRequest, urgent bool, next time.Time) care.EscalationID {
	e.t.Helper()
	h.PersonID, h.Commune = p.ID, e.commune
	if h.Phone == "" {
		h.Phone = p.Phone
	}
	require.NoError(e.t, storetest.CreateHelpRequest(e.ctx, e.st, &h))
	return e.escalate(p, care.Escalation{Reason: care.ReasonHelpRequest, Urgent: urgent, HelpRequestID: h.ID}, next)
}

// escalate opens es about p (the zero person: a caller who is not registered) in the
// commune, climbing at next, before anyone is told.
func (e *env) escalate(p person, es care.Escalation, next time.Time) care.EscalationID {
	e.t.Helper()
	es.PersonID, es.CaseID, es.Commune, es.NextLevelAt = p.ID, p.Case, e.commune, &next
	require.NoError(e.t, storetest.CreateEscalation(e.ctx, e.st, &es))
	return es.ID
}

// process runs one piece of work through the mux, as an asynq server would.
func (e *env) process(it care.DueItem) {
	e.t.Helper()
	task, _, err := workers.NewTask(it, 0)
	require.NoError(e.t, err)
	require.NoError(e.t, e.mux.ProcessTask(e.ctx, task), workers.TaskID(it))
}

// collector is an Enqueuer that keeps what it is given, for tests without Redis.
type collector struct {
	mu    sync.Mutex
	items []care.DueItem
}

func (c *collector) Enqueue(_ context.Context, it care.DueItem) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items = append(c.items, it)
	return nil
}

func (c *collector) take() []care.DueItem {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.items
	c.items = nil
	return out
}

// at steps the clock to t and runs what is due, as the dispatcher and workers would without
// Redis: a few rounds, since one round's work (a missed check-in) makes the next's (an
// escalation, then its SMS).
func (e *env) at(t time.Time) {
	e.t.Helper()
	e.clock.Set(t)
	q := &collector{}
	d, err := workers.NewDispatcher(e.deps, q)
	require.NoError(e.t, err)
	for range 5 {
		_, err := d.Pass(e.ctx)
		require.NoError(e.t, err)
		for _, it := range q.take() {
			if !it.At.After(t) {
				e.process(it)
			}
		}
	}
}

// redisDB is a Redis database of the test's own (see storetest.NewRedisDB).
func redisDB(t testing.TB) asynq.RedisClientOpt {
	t.Helper()
	return asynq.RedisClientOpt{Addr: storetest.RedisAddr, DB: storetest.NewRedisDB(t)}
}
