package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
)

// World writes the records a test starts from (communes, staff, people, open cases,
// escalations) through the store, failing the test on any error. The gateway's API and
// console tests build their worlds with it.
type World struct {
	t   testing.TB
	ctx context.Context
	s   *store.Store
}

// NewWorld returns a builder writing through s.
func NewWorld(t testing.TB, s *store.Store) *World {
	return &World{t: t, ctx: context.Background(), s: s}
}

// phones makes every fixture phone unique across the test binary.
var phones atomic.Int64

// Phone returns a fresh Vietnamese mobile number, 091 and seven digits (tests route the
// prefix +8491 where they need a route of their own).
func (w *World) Phone() care.Phone {
	return care.MustParsePhone(fmt.Sprintf("091%07d", phones.Add(1)))
}

// Commune creates commune code, named "Xã <code>", and returns its code.
func (w *World) Commune(code care.CommuneCode) care.CommuneCode {
	w.t.Helper()
	require.NoError(w.t, w.s.CreateCommune(w.ctx, &care.Commune{Code: code, Name: "Xã " + string(code)}))
	return code
}

// Staff creates an active staff member of commune with role, reporting to supervisor (0:
// nobody), named Chị Lan; each of with then changes them before they are written (a name,
// a language).
func (w *World) Staff(commune care.CommuneCode, role care.Role, supervisor care.ManagerID, with ...func(*care.CaseManager)) *care.CaseManager {
	w.t.Helper()
	m := &care.CaseManager{Name: "Chị Lan", Phone: w.Phone(), Commune: commune, Role: role,
		SupervisorID: supervisor, Active: true}
	for _, f := range with {
		f(m)
	}
	require.NoError(w.t, w.s.CreateManager(w.ctx, m))
	return m
}

// Token issues an API token for m and returns it.
func (w *World) Token(m *care.CaseManager) string {
	w.t.Helper()
	token, _, err := w.s.CreateAPIToken(w.ctx, 0, m.ID, "test")
	require.NoError(w.t, err)
	return token
}

// Person registers an active person of commune, Nguyễn Văn An, on SMS in Vietnamese; each
// of with then changes the person before it is written (a profile, a caregiver).
func (w *World) Person(commune care.CommuneCode, with ...func(*care.Person)) *care.Person {
	w.t.Helper()
	p := &care.Person{Phone: w.Phone(), Name: "Nguyễn Văn An", Commune: commune, Language: care.Vietnamese,
		Channel: care.ChannelSMS, Status: care.PersonActive}
	for _, f := range with {
		f(p)
	}
	require.NoError(w.t, w.s.CreatePerson(w.ctx, p))
	return p
}

// OpenCase opens a case for p managed by m, in p's commune.
func (w *World) OpenCase(p *care.Person, m *care.CaseManager) *care.Case {
	w.t.Helper()
	c := &care.Case{PersonID: p.ID, ManagerID: m.ID, Commune: p.Commune}
	require.NoError(w.t, w.s.OpenCase(w.ctx, c))
	return c
}

// Appointment books p's case c at at, in place, as scheduled; it schedules no reminders.
func (w *World) Appointment(c *care.Case, at time.Time, place string) *care.Appointment {
	w.t.Helper()
	a := &care.Appointment{CaseID: c.ID, PersonID: c.PersonID, At: at, Place: place}
	require.NoError(w.t, w.s.CreateAppointment(w.ctx, a))
	return a
}

// Schedule starts active weekly check-ins on case c on day at minute of the local day
// (9*60: 09:00), with the store's default window.
func (w *World) Schedule(c *care.Case, day time.Weekday, minute int) *care.CheckInSchedule {
	w.t.Helper()
	sc := &care.CheckInSchedule{CaseID: c.ID, Weekday: day, Minute: minute, Active: true}
	require.NoError(w.t, w.s.CreateSchedule(w.ctx, sc))
	return sc
}

// Escalation raises a need-help escalation for p on case c.
func (w *World) Escalation(p *care.Person, c *care.Case, urgent bool) *care.Escalation {
	w.t.Helper()
	es := &care.Escalation{Reason: care.ReasonNeedHelp, Urgent: urgent, PersonID: p.ID, CaseID: c.ID, Commune: p.Commune}
	require.NoError(w.t, CreateEscalation(w.ctx, w.s, es))
	return es
}

// Strings runs query, which selects one text column, and returns its rows in order.
func (w *World) Strings(query string, args ...any) []string {
	w.t.Helper()
	rows, err := w.s.Pool().Query(w.ctx, query, args...)
	require.NoError(w.t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(w.t, err)
	if len(out) == 0 {
		return nil // as a slice appended to from nothing: what tests compare against
	}
	return out
}

// Exec runs sql on pool, failing the test on an error.
func Exec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	_, err := pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err, sql)
}

// One runs sql, which selects one row of one column, on pool and returns the value.
func One[T any](t testing.TB, pool *pgxpool.Pool, sql string, args ...any) T {
	t.Helper()
	var v T
	require.NoError(t, pool.QueryRow(context.Background(), sql, args...).Scan(&v), sql)
	return v
}

// Reminders is the workers' reminder scheduling as caseline wires it (the store writes the
// reminder rows of the default plan: 24 h and 2 h before), recording every call as
// "schedule <id>".
type Reminders struct {
	S     *store.Store
	mu    sync.Mutex
	calls []string
}

var _ care.Reminders = (*Reminders)(nil)

// Schedule writes the appointment's reminders.
func (r *Reminders) Schedule(ctx context.Context, id care.AppointmentID) error {
	r.record("schedule", id)
	return r.S.ScheduleReminders(ctx, id, care.DefaultReminderPlan(time.UTC))
}

func (r *Reminders) record(what string, id care.AppointmentID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s %d", what, id))
}

// Calls returns the calls so far, in order.
func (r *Reminders) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}
