package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// start is the test clock's first reading: a Monday morning.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testRoutes sends SMS to the fixtures' numbers (+8491…) through an Android gateway, so a
// test can tell the route was asked.
const testRoutes = "+8491=android,*=twilio"

// env is one test's API over a real store on its own database; its World writes fixtures.
type env struct {
	*storetest.World
	t         *testing.T
	ctx       context.Context
	s         *store.Store
	clock     *caretest.Clock
	reminders *storetest.Reminders
	srv       *httptest.Server
}

func setup(t *testing.T) *env {
	t.Helper()
	clock := caretest.NewClock(start)
	s := store.New(storetest.NewPool(t), clock)
	rem := &storetest.Reminders{S: s}
	routes, err := care.ParseRoutes(testRoutes)
	require.NoError(t, err)
	h, err := NewHandler(Deps{Store: s, Reminders: rem, News: flows.NewNews(routes, time.UTC), Clock: clock,
		Log: zerolog.Nop(), Compose: flows.ComposeStaffSMS(routes)})
	require.NoError(t, err)
	srv := httptest.NewServer(gateway.LimitBody(gateway.MaxAPIBodyBytes, h)) // as gateway.NewHandler mounts it
	t.Cleanup(srv.Close)
	return &env{World: storetest.NewWorld(t, s), t: t, ctx: context.Background(), s: s, clock: clock, reminders: rem, srv: srv}
}

// staff makes a staff member with a token and returns both.
func (e *env) staff(commune care.CommuneCode, role care.Role, supervisor care.ManagerID) (*care.CaseManager, string) {
	e.t.Helper()
	m := e.Staff(commune, role, supervisor)
	return m, e.Token(m)
}

// world is the usual start: communes A and B, a case manager with a token in each, and a
// person with an open case in A.
type world struct {
	a, b       care.CommuneCode
	manager    *care.CaseManager
	token      string // the case manager of A
	otherToken string // the case manager of B
	person     *care.Person
	kase       *care.Case
}

func (e *env) world() world {
	e.t.Helper()
	var w world
	w.a, w.b = e.Commune("A"), e.Commune("B")
	w.manager, w.token = e.staff(w.a, care.RoleCaseManager, 0)
	_, w.otherToken = e.staff(w.b, care.RoleCaseManager, 0)
	w.person = e.Person(w.a)
	w.kase = e.OpenCase(w.person, w.manager)
	return w
}

// resp is an API response: its status and its body as generic JSON.
type resp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// call sends body (JSON-encoded unless it is a string or []byte) with token.
func (e *env) call(token, method, path string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.ctx, method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	r := resp{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 {
		require.Contains(e.t, res.Header.Get("Content-Type"), "application/json", "body: %s", raw)
		require.NoError(e.t, json.Unmarshal(raw, &r.body), "body: %s", raw)
	}
	return r
}

// ok calls and requires status.
func (e *env) ok(status int, token, method, path string, body any) map[string]any {
	e.t.Helper()
	r := e.call(token, method, path, body)
	require.Equal(e.t, status, r.status, "%s %s: %s", method, path, r.raw)
	return r.body
}

// fails calls and requires an error response with status and code, returning its fields.
func (e *env) fails(status int, code, token, method, path string, body any) map[string]any {
	e.t.Helper()
	r := e.call(token, method, path, body)
	require.Equal(e.t, status, r.status, "%s %s: %s", method, path, r.raw)
	require.Equal(e.t, code, r.body["error"], "%s", r.raw)
	require.NotEmpty(e.t, r.body["message"], "%s", r.raw)
	fields, _ := r.body["fields"].(map[string]any)
	return fields
}

// invalid is a body the API must refuse with EINVALID, and the field the refusal must name.
type invalid struct {
	body  map[string]any
	field string
}

// refuses requires each body, POSTed to path with token, to fail with 400 EINVALID naming
// its field.
func (e *env) refuses(token, path string, bodies []invalid) {
	e.t.Helper()
	for _, tt := range bodies {
		fields := e.fails(http.StatusBadRequest, care.EINVALID, token, "POST", path, tt.body)
		require.Contains(e.t, fields, tt.field, "%v", tt.body)
	}
}

// audit returns the actions of a record's audit entries, requiring each to name actor.
func (e *env) audit(entity string, id int64, actor care.ManagerID) []string {
	e.t.Helper()
	entries, err := storetest.AuditLog(e.ctx, e.s, entity, id)
	require.NoError(e.t, err)
	var out []string
	for _, a := range entries {
		require.Equal(e.t, actor, a.ActorID, "%+v", a)
		out = append(out, a.Action)
	}
	return out
}

// id reads a JSON number field as an id.
func id(m map[string]any, field string) int64 {
	f, _ := m[field].(float64)
	return int64(f)
}

func path(format string, args ...any) string { return "/api/v1" + fmt.Sprintf(format, args...) }
