package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a := e.Commune("A")
	m, token := e.staff(a, care.RoleCaseManager, 0)
	revoked, _ := e.staff(a, care.RoleCaseManager, 0)
	revokedToken, tok, err := e.s.CreateAPIToken(e.ctx, 0, revoked.ID, "lost phone")
	require.NoError(t, err)
	require.NoError(t, e.s.RevokeAPIToken(e.ctx, 0, tok.ID))
	require.NoError(t, e.s.RevokeAPIToken(e.ctx, 0, tok.ID), "revoking twice is a no-op")
	inactive, inactiveToken := e.staff(a, care.RoleCaseManager, 0)
	_, err = e.s.Pool().Exec(e.ctx, `UPDATE case_manager SET active = false WHERE id = $1`, int64(inactive.ID))
	require.NoError(t, err)

	tests := []struct {
		name   string
		header string
	}{
		{"no header", ""},
		{"basic auth", "Basic Z2F0ZXdheTpzZWNyZXQ="},
		{"empty bearer", "Bearer "},
		{"unknown token", "Bearer cl_" + strings.Repeat("ab", 32)},
		{"no prefix", "Bearer " + strings.TrimPrefix(token, care.TokenPrefix)},
		{"revoked token", "Bearer " + revokedToken},
		{"inactive staff", "Bearer " + inactiveToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest("GET", e.srv.URL+"/api/v1/persons", nil)
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			res, err := e.srv.Client().Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			require.Equal(t, http.StatusUnauthorized, res.StatusCode)
			require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
			require.Contains(t, res.Header.Get("Content-Type"), "application/json")
		})
	}

	t.Run("valid token", func(t *testing.T) {
		t.Parallel()
		me := e.ok(http.StatusOK, token, "GET", "/api/v1/me", nil)
		require.Equal(t, float64(m.ID), me["id"])
		require.Equal(t, "case_manager", me["role"])
		require.Equal(t, []any{"A"}, me["communes"])
		// The scheme is case-insensitive (RFC 7235).
		req, err := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "bearer "+token)
		res, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
	})

	t.Run("only the hash is stored", func(t *testing.T) {
		t.Parallel()
		var n int
		require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT count(*) FROM api_token WHERE hash = $1`, care.HashAPIToken(token)).Scan(&n))
		require.Equal(t, 1, n)
		require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT count(*) FROM api_token WHERE hash = $1 OR label = $1`, token).Scan(&n))
		require.Zero(t, n)
		tokens, err := e.s.APITokens(e.ctx, revoked.ID)
		require.NoError(t, err)
		require.Len(t, tokens, 2)
		require.Nil(t, tokens[0].RevokedAt)
		require.NotNil(t, tokens[1].RevokedAt)
		require.Equal(t, []string{care.AuditTokenCreate, care.AuditTokenRevoke}, e.audit("api_token", int64(tok.ID), 0))
	})
}

func TestCreateTokenRefusesUnknownStaff(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, _, err := e.s.CreateAPIToken(e.ctx, 0, 999, "x")
	require.Equal(t, care.EINVALID, care.ErrorCode(err), "%v", err)
	require.Equal(t, care.ENOTFOUND, care.ErrorCode(e.s.RevokeAPIToken(e.ctx, 0, 999)))
}

func TestRoles(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, b, c := e.Commune("A"), e.Commune("B"), e.Commune("C")
	sup, supToken := e.staff(a, care.RoleSupervisor, 0)
	e.staff(b, care.RoleCaseManager, sup.ID) // B is in the supervisor's team, C is not
	_, adminToken := e.staff(c, care.RoleAdmin, 0)
	_, dutyToken := e.staff(b, care.RoleDutyOfficer, 0)
	_, approverToken := e.staff(a, care.RoleApprover, 0)
	pa, pb, pc := e.Person(a), e.Person(b), e.Person(c)

	tests := []struct {
		name  string
		token string
		sees  []*care.Person
	}{
		{"supervisor sees the team's communes", supToken, []*care.Person{pa, pb}},
		{"admin sees all", adminToken, []*care.Person{pa, pb, pc}},
		{"duty officer sees their commune", dutyToken, []*care.Person{pb}},
		{"approver sees their commune", approverToken, []*care.Person{pa}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			list := e.ok(http.StatusOK, tt.token, "GET", "/api/v1/persons", nil)
			var got []int64
			for _, p := range list["items"].([]any) {
				got = append(got, id(p.(map[string]any), "id"))
			}
			var want []int64
			for _, p := range tt.sees {
				want = append(want, int64(p.ID))
			}
			require.Equal(t, want, got)
			for _, p := range []*care.Person{pa, pb, pc} {
				status := http.StatusNotFound
				for _, s := range tt.sees {
					if s == p {
						status = http.StatusOK
					}
				}
				require.Equal(t, status, e.call(tt.token, "GET", path("/persons/%d", p.ID), nil).status, "person of %s", p.Commune)
			}
		})
	}
}
