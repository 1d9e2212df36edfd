package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func TestCreatePerson(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	taken := w.person.Phone.E164()

	tests := []struct {
		name   string
		body   any
		status int
		code   string
		fields []string // the fields named by a 400
	}{
		{"happy path", map[string]any{"phone": "0912 345 678", "name": " Trần Thị Bình ", "profile": []string{"deaf"},
			"consent": true, "caregiver_name": "Mẹ", "caregiver_phone": "0987654321", "caregiver_consent": true}, http.StatusCreated, "", nil},
		{"missing phone and name", map[string]any{"commune": "A"}, http.StatusBadRequest, care.EINVALID, []string{"phone", "name"}},
		{"bad phone", map[string]any{"phone": "12", "name": "An"}, http.StatusBadRequest, care.EINVALID, []string{"phone"}},
		{"bad profile", map[string]any{"phone": "0912345679", "name": "An", "profile": []string{"tall"}}, http.StatusBadRequest, care.EINVALID, []string{"profile"}},
		{"bad language", map[string]any{"phone": "0912345679", "name": "An", "language": "fr"}, http.StatusBadRequest, care.EINVALID, []string{"language"}},
		{"caregiver consent without phone", map[string]any{"phone": "0912345679", "name": "An", "caregiver_consent": true}, http.StatusBadRequest, care.EINVALID, []string{"caregiver_phone"}},
		{"unknown field", map[string]any{"phone": "0912345679", "name": "An", "pin_hash": "x"}, http.StatusBadRequest, care.EINVALID, []string{"pin_hash"}},
		{"wrong type", map[string]any{"phone": "0912345679", "name": 7}, http.StatusBadRequest, care.EINVALID, []string{"name"}},
		{"not JSON", "{", http.StatusBadRequest, care.EINVALID, nil},
		{"two objects", `{"phone":"0912345679","name":"An"} {}`, http.StatusBadRequest, care.EINVALID, nil},
		{"too large", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, http.StatusRequestEntityTooLarge, "too_large", nil},
		{"phone taken", map[string]any{"phone": taken, "name": "An"}, http.StatusConflict, care.ECONFLICT, nil},
		{"another commune", map[string]any{"phone": "0912345679", "name": "An", "commune": "B"}, http.StatusForbidden, "forbidden", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.status != http.StatusCreated {
				fields := e.fails(tt.status, tt.code, w.token, "POST", "/api/v1/persons", tt.body)
				for _, f := range tt.fields {
					require.Contains(t, fields, f)
				}
				require.Len(t, fields, len(tt.fields))
				return
			}
			p := e.ok(http.StatusCreated, w.token, "POST", "/api/v1/persons", tt.body)
			require.Equal(t, "+84912345678", p["phone"])
			require.Equal(t, "Trần Thị Bình", p["name"])
			require.Equal(t, "A", p["commune"], "the staff member's commune by default")
			require.Equal(t, "vi", p["language"])
			require.Equal(t, []any{"deaf"}, p["profile"])
			require.Equal(t, "sms", p["reach_by"])
			require.Equal(t, true, p["consent"])
			require.Equal(t, start.Format(timeLayoutJSON), p["consent_at"])
			require.Equal(t, "+84987654321", p["caregiver_phone"])
			require.Equal(t, false, p["has_pin"])
			require.Equal(t, []string{care.AuditPersonCreate}, e.audit("person", id(p, "id"), w.manager.ID))

			got := e.ok(http.StatusOK, w.token, "GET", path("/persons/%d", id(p, "id")), nil)
			require.Equal(t, p, got)
		})
	}
}

// timeLayoutJSON is how encoding/json writes a UTC time with no fraction.
const timeLayoutJSON = "2006-01-02T15:04:05Z07:00"

func TestUpdatePerson(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	url := path("/persons/%d", w.person.ID)

	p := e.ok(http.StatusOK, w.token, "PATCH", url, map[string]any{
		"profile": []string{"blind", "mobility"}, "consent": true, "caregiver_name": "Bố",
		"caregiver_phone": "0987000111", "caregiver_consent": true, "language": "en",
	})
	require.Equal(t, []any{"blind", "mobility"}, p["profile"])
	require.Equal(t, "voice", p["reach_by"], "blind people are called")
	require.Equal(t, "en", p["language"])
	require.Equal(t, "Nguyễn Văn An", p["name"], "absent fields keep their value")
	require.Equal(t, true, p["caregiver_consent"])

	// Consent given earlier keeps its time; withdrawing clears it.
	e.clock.Advance(time.Hour)
	p = e.ok(http.StatusOK, w.token, "PATCH", url, map[string]any{"consent": true})
	require.Equal(t, start.Format(timeLayoutJSON), p["consent_at"])
	p = e.ok(http.StatusOK, w.token, "PATCH", url, map[string]any{"consent": false, "caregiver_consent": false, "caregiver_phone": ""})
	require.Nil(t, p["consent_at"])
	require.Nil(t, p["caregiver_phone"])

	fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "PATCH", url, map[string]any{"channel": "fax"})
	require.Contains(t, fields, "channel")
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "PATCH", url, map[string]any{"name": ""})
	require.Contains(t, fields, "name")
	e.fails(http.StatusForbidden, "forbidden", w.token, "PATCH", url, map[string]any{"commune": "B"})
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "PATCH", path("/persons/999999"), map[string]any{"name": "X"})
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "PATCH", path("/persons/abc"), map[string]any{"name": "X"})

	// PIN: only its hash is kept, and the API says only whether there is one.
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "PUT", url+"/pin", map[string]any{"pin": "12"})
	require.Contains(t, fields, "pin")
	p = e.ok(http.StatusOK, w.token, "PUT", url+"/pin", map[string]any{"pin": "4821"})
	require.Equal(t, true, p["has_pin"])
	require.NotContains(t, p, "pin_hash")
	stored, err := e.s.Person(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.True(t, care.CheckPIN(stored.PINHash, "4821"))
	p = e.ok(http.StatusOK, w.token, "DELETE", url+"/pin", nil)
	require.Equal(t, false, p["has_pin"])

	require.Equal(t, []string{care.AuditPersonUpdate, care.AuditPersonUpdate, care.AuditPersonUpdate,
		care.AuditPersonSetPIN, care.AuditPersonClearPIN}, e.audit("person", int64(w.person.ID), w.manager.ID))
	entries, err := storetest.AuditLog(e.ctx, e.s, "person", int64(w.person.ID))
	require.NoError(t, err)
	require.ElementsMatch(t, []any{"profile", "language", "consent", "caregiver_name", "caregiver_phone", "caregiver_consent"},
		entries[0].Detail["fields"], "the audit names fields, never their values")
}

func TestListPersonsPaginates(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	for range 4 {
		e.Person(w.a)
	}
	e.Person(w.b)

	var ids []int64
	cursor := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 3)
		list := e.ok(http.StatusOK, w.token, "GET", "/api/v1/persons?limit=2&cursor="+cursor, nil)
		items := list["items"].([]any)
		require.LessOrEqual(t, len(items), 2)
		for _, p := range items {
			ids = append(ids, id(p.(map[string]any), "id"))
		}
		if list["next"] == nil {
			break
		}
		cursor = list["next"].(string)
	}
	require.Len(t, ids, 5, "the five people of A, none of B")
	require.IsIncreasing(t, ids)

	tests := []struct {
		name, query, field string
	}{
		{"limit zero", "limit=0", "limit"},
		{"limit too high", "limit=201", "limit"},
		{"limit not a number", "limit=ten", "limit"},
		{"bad cursor", "cursor=%21%21", "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "GET", "/api/v1/persons?"+tt.query, nil)
			require.Contains(t, fields, tt.field)
		})
	}
	t.Run("limit 200 is allowed", func(t *testing.T) {
		t.Parallel()
		e.ok(http.StatusOK, w.token, "GET", "/api/v1/persons?limit=200", nil)
	})
	t.Run("another commune's filter lists nothing", func(t *testing.T) {
		t.Parallel()
		list := e.ok(http.StatusOK, w.token, "GET", "/api/v1/persons?commune=B", nil)
		require.Empty(t, list["items"])
	})
}

func TestScopingHidesAnotherCommune(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	// Everything below belongs to commune A; the case manager of B must not learn it exists.
	a := &care.Appointment{CaseID: w.kase.ID, PersonID: w.person.ID, At: start.Add(48 * time.Hour)}
	require.NoError(t, e.s.CreateAppointment(e.ctx, a))
	sc := &care.CheckInSchedule{CaseID: w.kase.ID, Weekday: 1, Minute: 540, Active: true}
	require.NoError(t, e.s.CreateSchedule(e.ctx, sc))
	h := &care.HelpRequest{PersonID: w.person.ID, Phone: w.person.Phone, Commune: w.a, Category: care.HelpHealth, Channel: care.ChannelSMS}
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, h))
	esc := &care.Escalation{Reason: care.ReasonHelpRequest, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.a, HelpRequestID: h.ID}
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, esc))

	tests := []struct {
		method, path string
		body         any
	}{
		{"GET", path("/persons/%d", w.person.ID), nil},
		{"PATCH", path("/persons/%d", w.person.ID), map[string]any{"name": "X"}},
		{"PUT", path("/persons/%d/pin", w.person.ID), map[string]any{"pin": "1234"}},
		{"DELETE", path("/persons/%d/pin", w.person.ID), nil},
		{"GET", path("/persons/%d/messages", w.person.ID), nil},
		{"GET", path("/persons/%d/case", w.person.ID), nil},
		{"POST", path("/persons/%d/cases", w.person.ID), map[string]any{}},
		{"GET", path("/cases/%d", w.kase.ID), nil},
		{"POST", path("/cases/%d/events", w.kase.ID), map[string]any{"event": "plan"}},
		{"GET", path("/cases/%d/history", w.kase.ID), nil},
		{"POST", path("/cases/%d/assessments", w.kase.ID), map[string]any{"needs": []any{map[string]any{"area": "health", "priority": 1}}}},
		{"GET", path("/cases/%d/assessments/latest", w.kase.ID), nil},
		{"POST", path("/cases/%d/plans", w.kase.ID), map[string]any{"goals": []string{"x"}}},
		{"GET", path("/cases/%d/plan", w.kase.ID), nil},
		{"PATCH", path("/cases/%d/plan/services/1", w.kase.ID), map[string]any{"status": "done"}},
		{"POST", path("/cases/%d/appointments", w.kase.ID), map[string]any{"at": "2026-03-10T09:00:00Z"}},
		{"POST", path("/cases/%d/schedules", w.kase.ID), map[string]any{"weekday": "monday", "time": "09:00"}},
		{"GET", path("/cases/%d/schedules", w.kase.ID), nil},
		{"GET", path("/appointments/%d", a.ID), nil},
		{"POST", path("/appointments/%d/move", a.ID), map[string]any{"at": "2026-03-10T09:00:00Z"}},
		{"POST", path("/appointments/%d/cancel", a.ID), nil},
		{"POST", path("/schedules/%d/deactivate", sc.ID), nil},
		{"GET", path("/help-requests/%d", h.ID), nil},
		{"POST", path("/help-requests/%d/resolve", h.ID), nil},
		{"GET", path("/escalations/%d", esc.ID), nil},
		{"POST", path("/escalations/%d/acknowledge", esc.ID), nil},
		{"POST", path("/escalations/%d/resolve", esc.ID), map[string]any{"outcome": "x"}},
	}
	// The group returns once its parallel subtests are done, so the checks after it see
	// what they did.
	t.Run("group", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				t.Parallel()
				r := e.call(w.otherToken, tt.method, tt.path, tt.body)
				require.Equal(t, http.StatusNotFound, r.status, "%s", r.raw)
				missing := e.call(w.otherToken, tt.method, strings.Replace(tt.path, "/"+lastID(tt.path), "/987654", 1), tt.body)
				require.Equal(t, missing.body, r.body, "another commune's record answers as one that does not exist")
			})
		}
	})
	// Nothing of A was changed or listed.
	for _, list := range []string{"/api/v1/persons", "/api/v1/help-requests", "/api/v1/escalations"} {
		require.Empty(t, e.ok(http.StatusOK, w.otherToken, "GET", list, nil)["items"], list)
	}
	require.Equal(t, 0, countRows(e, `SELECT count(*) FROM audit_log WHERE action <> 'token.create'`))
	p, err := e.s.Person(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.Equal(t, w.person.Name, p.Name)
}

// lastID is the first numeric segment of an API path.
func lastID(p string) string {
	for _, seg := range strings.Split(p, "/") {
		if seg != "" && strings.Trim(seg, "0123456789") == "" {
			return seg
		}
	}
	return ""
}

func countRows(e *env, query string, args ...any) int {
	e.t.Helper()
	var n int
	require.NoError(e.t, e.s.Pool().QueryRow(e.ctx, query, args...).Scan(&n))
	return n
}
