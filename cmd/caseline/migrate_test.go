package main

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/migrations"
	"github.com/caseline/caseline/store/storetest"
)

// caseline runs `caseline args...` to completion and returns its stdout.
func caseline(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	p := start(t, env, args...)
	err := p.wait(t)
	return p.stdout.String(), err
}

func TestMigrateDownStatusUp(t *testing.T) {
	files, err := fs.Glob(migrations.FS, "*.sql")
	require.NoError(t, err)
	env := testEnv(t, storetest.NewDatabase(t), nil)

	out, err := caseline(t, env, "migrate", "status")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, len(files))
	for i, l := range lines {
		require.True(t, strings.HasPrefix(l, "applied 20"), l)
		require.True(t, strings.HasSuffix(l, " "+files[i]), l)
	}

	for i := len(files) - 1; i >= 0; i-- {
		out, err = caseline(t, env, "migrate", "down")
		require.NoError(t, err)
		require.Equal(t, "rolled back "+files[i]+"\n", out)
	}
	_, err = caseline(t, env, "migrate", "down")
	require.EqualError(t, err, "migrate down: no migration is applied")
	require.Equal(t, 1, exitCode(err))

	out, err = caseline(t, env, "migrate", "status")
	require.NoError(t, err)
	for l := range strings.Lines(out) {
		require.True(t, strings.HasPrefix(l, "pending "), l)
	}

	out, err = caseline(t, env, "migrate", "up")
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("applied %d migration(s)\n", len(files)), out)
	out, err = caseline(t, env, "migrate", "up")
	require.NoError(t, err)
	require.Equal(t, "applied 0 migration(s)\n", out)
}
