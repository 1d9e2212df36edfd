package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// start is the test clock's first reading: a Monday morning, in UTC as the store returns times.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is one test's store on its own database, with fixture helpers.
type env struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	fx    *storetest.World // the fixture builder, writing through s
	clock *caretest.Clock
}

func setup(t *testing.T) *env {
	t.Helper()
	clock := caretest.NewClock(start)
	s := store.New(storetest.NewPool(t), clock)
	return &env{t: t, ctx: context.Background(), s: s, fx: storetest.NewWorld(t, s), clock: clock}
}

// approve submits plan id (unless it was submitted) and approves it as by at at.
func (e *env) approve(id care.PlanID, by care.ManagerID, at time.Time) error {
	e.t.Helper()
	if err := e.s.SubmitPlan(e.ctx, id); err != nil && care.ErrorCode(err) != care.ECONFLICT {
		return err
	}
	return e.s.ApprovePlan(e.ctx, id, by, at)
}

// world is the usual start of a test: a commune with a case manager and one person with an open case.
type world struct {
	commune care.CommuneCode
	manager *care.CaseManager
	person  *care.Person
	kase    *care.Case
}

func (e *env) world() world {
	e.t.Helper()
	var w world
	w.commune = e.fx.Commune("x1")
	w.manager = e.fx.Staff(w.commune, care.RoleCaseManager, 0)
	w.person = e.fx.Person(w.commune)
	w.kase = e.fx.OpenCase(w.person, w.manager)
	return w
}

// requireCode fails unless err carries the care error code.
func requireCode(t *testing.T, code string, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, care.ErrorCode(err), "error: %v", err)
}

func TestErrorsNameTheOperation(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, err := e.s.Person(e.ctx, 999)
	requireCode(t, care.ENOTFOUND, err)
	require.EqualError(t, err, "load person 999: not_found: not found")
}

func TestStoreUsesItsClock(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	require.Equal(t, start, w.person.CreatedAt)
	require.Equal(t, start, w.kase.OpenedAt)
	later := e.clock.Advance(90 * time.Minute)
	require.NoError(t, storetest.UpdatePerson(e.ctx, e.s, w.person))
	got, err := e.s.Person(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.Equal(t, start, got.CreatedAt)
	require.Equal(t, later, got.UpdatedAt)
}
