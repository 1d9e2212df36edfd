package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
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
	entries, err := e.s.AuditLog(e.ctx, "person", int64(w.person.ID))
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
		"phone": e.phone().E164(), "name": "Lò Văn Páo", "sex": "male", "birth_year": 1990, "disability_type": "mobility", "disability_degree": "mild",
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
