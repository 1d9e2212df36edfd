package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

// TestPersonRecordFields: sex, year of birth and the law's type and degree of disability are
// optional, set only by staff, validated with a 400 naming every field at fault, and audited
// by name (never by value).
func TestPersonRecordFields(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	url := path("/persons/%d", w.person.ID)

	fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "PATCH", url, map[string]any{
		"sex": "x", "birth_year": 1850, "disability_type": "deaf", "disability_degree": "very",
	})
	require.Len(t, fields, 4)
	for _, f := range []string{"sex", "birth_year", "disability_type", "disability_degree"} {
		require.Contains(t, fields, f)
	}
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "PATCH", url, map[string]any{"birth_year": start.Year() + 1})
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "PATCH", url, map[string]any{"birth_year": "2010"})

	p := e.ok(http.StatusOK, w.token, "GET", url, nil)
	for _, f := range []string{"sex", "birth_year", "disability_type", "disability_degree", "registered_relation", "pin_locked_until"} {
		require.Contains(t, p, f)
		require.Nil(t, p[f], "%s is unknown until staff record it", f)
	}

	p = e.ok(http.StatusOK, w.token, "PATCH", url, map[string]any{
		"sex": "female", "birth_year": 2012, "disability_type": "hearing_speech", "disability_degree": "especially_severe",
	})
	require.Equal(t, "female", p["sex"])
	require.Equal(t, float64(2012), p["birth_year"])
	require.Equal(t, "hearing_speech", p["disability_type"])
	require.Equal(t, "especially_severe", p["disability_degree"])
	entries, err := storetest.AuditLog(e.ctx, e.s, "person", int64(w.person.ID))
	require.NoError(t, err)
	last := entries[len(entries)-1]
	require.Equal(t, care.AuditPersonUpdate, last.Action)
	require.ElementsMatch(t, []any{"sex", "birth_year", "disability_type", "disability_degree"}, last.Detail["fields"])
	require.NotContains(t, last.Detail, "female", "values are not audited")

	stored, err := e.s.Person(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.Equal(t, care.Priority{Child: true, Woman: true}, stored.Priority(start))

	p = e.ok(http.StatusOK, w.token, "PATCH", url, map[string]any{"sex": "", "birth_year": 0, "disability_type": "", "disability_degree": ""})
	for _, f := range []string{"sex", "birth_year", "disability_type", "disability_degree"} {
		require.Nil(t, p[f], "%s cleared", f)
	}

	created := e.ok(http.StatusCreated, w.token, "POST", "/api/v1/persons", map[string]any{
		"phone": e.Phone().E164(), "name": "Lò Văn Páo", "sex": "male", "birth_year": 1990, "disability_type": "mobility", "disability_degree": "mild",
	})
	require.Equal(t, "male", created["sex"])
	require.Equal(t, "mobility", created["disability_type"])
}

// TestClearPINLock: the case manager ends a lockout after wrong PINs, audited; staff of
// another commune cannot.
func TestClearPINLock(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	until := start.Add(10 * time.Minute)
	_, err := e.s.ChangePersonAs(e.ctx, w.manager.ID, w.person.ID, func(p *care.Person) (string, []string, error) {
		p.PINFailures, p.PINLockedUntil = 2, &until
		return care.AuditPersonUpdate, nil, nil
	})
	require.NoError(t, err)
	url := path("/persons/%d/pin/lock", w.person.ID)

	p := e.ok(http.StatusOK, w.token, "GET", path("/persons/%d", w.person.ID), nil)
	require.Equal(t, until.Format(timeLayoutJSON), p["pin_locked_until"])

	e.fails(http.StatusNotFound, care.ENOTFOUND, w.otherToken, "DELETE", url, nil)
	p = e.ok(http.StatusOK, w.token, "DELETE", url, nil)
	require.Nil(t, p["pin_locked_until"])
	stored, err := e.s.Person(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.Zero(t, stored.PINFailures)
	require.False(t, stored.PINLocked(start))
	actions := e.audit("person", int64(w.person.ID), w.manager.ID)
	require.Equal(t, care.AuditPersonClearPINLock, actions[len(actions)-1])
}

// TestSearchPersons: by name without diacritics or case, by part of a phone number written
// any way, only within the staff member's communes, paged.
func TestSearchPersons(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world() // Nguyễn Văn An in A
	other := e.Person(w.b)
	mai := &care.Person{Phone: care.MustParsePhone("0987 654 321"), Name: "Trần Thị Mai", Commune: w.a,
		Language: care.Vietnamese, Channel: care.ChannelSMS, Status: care.PersonActive}
	require.NoError(t, e.s.CreatePerson(e.ctx, mai))

	names := func(token, q string) []string {
		t.Helper()
		var out []string
		cursor := ""
		for {
			body := e.ok(http.StatusOK, token, "GET", "/api/v1/persons?limit=1&q="+urlQuery(q)+"&cursor="+cursor, nil)
			for _, it := range body["items"].([]any) {
				out = append(out, it.(map[string]any)["name"].(string))
			}
			next, _ := body["next"].(string)
			if next == "" {
				return out
			}
			cursor = next
		}
	}
	require.Equal(t, []string{"Trần Thị Mai"}, names(w.token, "tran thi"))
	require.Equal(t, []string{"Trần Thị Mai"}, names(w.token, "MAI"))
	require.Equal(t, []string{"Trần Thị Mai"}, names(w.token, "0987 654"))
	require.Equal(t, []string{"Trần Thị Mai"}, names(w.token, "+84987654321"))
	require.Equal(t, []string{"Nguyễn Văn An", "Trần Thị Mai"}, names(w.token, "n"))
	require.Empty(t, names(w.token, "%"), "LIKE's wildcards are searched for, not obeyed")
	require.Empty(t, names(w.otherToken, "tran"), "another commune's staff do not find her")
	require.Equal(t, []string{other.Name}, names(w.otherToken, "an"))
	require.Len(t, names(w.token, ""), 2, "no query lists everyone in scope")
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "GET", "/api/v1/persons?q="+strings.Repeat("a", 101), nil)
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// TestReassignCase: a case goes to another case manager of its commune, audited; the open
// escalation at the case manager's rung is to be told again (to the new one); nobody
// outside the commune can take it, and staff of another commune cannot see it.
func TestReassignCase(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	second, _ := e.staff(w.a, care.RoleCaseManager, 0)
	otherCommune, _ := e.staff(w.b, care.RoleCaseManager, 0)
	url := path("/cases/%d/manager", w.kase.ID)

	atRung := &care.Escalation{Reason: care.ReasonCheckInMissed, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.a}
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, atRung))
	_, err := e.s.Pool().Exec(e.ctx, `UPDATE escalation SET notified = true WHERE id = $1`, int64(atRung.ID))
	require.NoError(t, err)

	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", url, map[string]any{})
	fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", url, map[string]any{"manager_id": int64(otherCommune.ID)})
	require.Contains(t, fields, "manager_id")
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", url, map[string]any{"manager_id": int64(w.manager.ID)})
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.otherToken, "POST", url, map[string]any{"manager_id": int64(second.ID)})

	c := e.ok(http.StatusOK, w.token, "POST", url, map[string]any{"manager_id": int64(second.ID)})
	require.Equal(t, float64(second.ID), c["manager_id"])
	entries, err := storetest.AuditLog(e.ctx, e.s, "case", int64(w.kase.ID))
	require.NoError(t, err)
	last := entries[len(entries)-1]
	require.Equal(t, care.AuditCaseReassign, last.Action)
	require.Equal(t, w.manager.ID, last.ActorID)
	require.EqualValues(t, w.manager.ID, last.Detail["from"])
	require.EqualValues(t, second.ID, last.Detail["to"])

	var notified bool
	require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT notified FROM escalation WHERE id = $1`, int64(atRung.ID)).Scan(&notified))
	require.False(t, notified, "the new case manager is told of the open escalation")
	got := e.ok(http.StatusOK, w.token, "GET", path("/cases/%d", w.kase.ID), nil)
	require.Equal(t, float64(second.ID), got["manager_id"])
}

// TestListCheckIns: a case's and a person's check-ins with their answers, newest first,
// within scope.
func TestListCheckIns(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	sc := &care.CheckInSchedule{CaseID: w.kase.ID, Weekday: time.Monday, Minute: 540, Window: 48 * time.Hour, Active: true}
	require.NoError(t, e.s.CreateSchedule(e.ctx, sc))
	var ids []care.CheckInID
	for i, status := range []care.CheckInStatus{care.CheckInSent, care.CheckInSent, care.CheckInPending} {
		due := start.Add(time.Duration(i) * 7 * 24 * time.Hour)
		c := &care.CheckIn{ScheduleID: sc.ID, CaseID: w.kase.ID, PersonID: w.person.ID, DueAt: due,
			RetryAt: due.Add(24 * time.Hour), DeadlineAt: due.Add(48 * time.Hour), Status: status}
		require.NoError(t, storetest.CreateCheckIn(e.ctx, e.s, c))
		ids = append(ids, c.ID)
	}
	require.NoError(t, storetest.AnswerCheckIn(e.ctx, e.s, ids[0], care.CheckInFine, start.Add(time.Hour)))
	require.NoError(t, storetest.AnswerCheckIn(e.ctx, e.s, ids[1], care.CheckInNeedHelp, start.Add(8*24*time.Hour)))

	for _, u := range []string{path("/cases/%d/checkins", w.kase.ID), path("/persons/%d/checkins", w.person.ID)} {
		body := e.ok(http.StatusOK, w.token, "GET", u+"?limit=2", nil)
		items := body["items"].([]any)
		require.Len(t, items, 2)
		first, second := items[0].(map[string]any), items[1].(map[string]any)
		require.Equal(t, float64(ids[2]), first["id"], "newest first")
		require.Nil(t, first["answer"])
		require.Equal(t, "need_help", second["answer"])
		require.NotNil(t, second["answered_at"])
		body = e.ok(http.StatusOK, w.token, "GET", u+"?limit=2&cursor="+body["next"].(string), nil)
		items = body["items"].([]any)
		require.Len(t, items, 1)
		require.Equal(t, "fine", items[0].(map[string]any)["answer"])
		require.Nil(t, body["next"])
		e.fails(http.StatusNotFound, care.ENOTFOUND, w.otherToken, "GET", u, nil)
	}
}
