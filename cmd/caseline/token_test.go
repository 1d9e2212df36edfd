package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

func TestTokenCreateListRevoke(t *testing.T) {
	url := storetest.NewDatabase(t)
	ctx := context.Background()
	pool, err := store.Open(ctx, url, zerolog.Nop())
	require.NoError(t, err)
	defer pool.Close()
	st := store.New(pool, care.SystemClock{})
	require.NoError(t, st.CreateCommune(ctx, &care.Commune{Code: "27001", Name: "Hòa Bình"}))
	m := &care.CaseManager{Name: "Lan", Phone: "+84901000301", Commune: "27001", Role: care.RoleCaseManager,
		Language: care.Vietnamese, Active: true}
	require.NoError(t, st.CreateManager(ctx, m))

	token := func(args ...string) (string, error) {
		t.Helper()
		p := start(t, testEnv(t, url, nil), append([]string{"token"}, args...)...)
		err := p.wait(t)
		return p.stdout.String(), err
	}
	out, err := token("create", "0901000301", "laptop")
	require.NoError(t, err)
	found := regexp.MustCompile(`token (\d+) for Lan \(case_manager\): (cl_[0-9a-f]{64})`).FindStringSubmatch(out)
	require.NotNil(t, found, out)
	id, plaintext := found[1], found[2]

	staff, err := st.StaffByToken(ctx, plaintext)
	require.NoError(t, err, "the printed token authenticates")
	require.Equal(t, m.ID, staff.ID)

	out, err = token("list", "+84901000301")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^`+id+`\t\S+ \S+\tactive\tlaptop$`, out)
	require.NotContains(t, out, plaintext, "only the hash is kept")

	out, err = token("revoke", id)
	require.NoError(t, err)
	require.Equal(t, "token "+id+" revoked\n", out)
	_, err = st.StaffByToken(ctx, plaintext)
	require.Equal(t, care.EUNAUTHORIZED, care.ErrorCode(err), "a revoked token no longer works")
	out, err = token("list", "+84901000301")
	require.NoError(t, err)
	require.True(t, strings.Contains(out, "\trevoked "), out)

	_, err = token("create", "+84909999999")
	require.Equal(t, care.ENOTFOUND, care.ErrorCode(err), "no staff member has that phone")
	_, err = token("revoke", "x")
	require.Equal(t, 2, exitCode(err))
}
