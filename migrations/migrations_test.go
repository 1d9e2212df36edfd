package migrations_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/migrations"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// schemaObjects counts what the migrations own in the public schema: tables (other than
// goose's own), views, sequences, types and functions.
func schemaObjects(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `
		SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		         WHERE s.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'S', 'p')
		           AND c.relname NOT LIKE 'goose_db_version%')
		     + (SELECT count(*) FROM pg_type ty JOIN pg_namespace s ON s.oid = ty.typnamespace
		         WHERE s.nspname = 'public' AND ty.typtype IN ('e', 'd', 'c')
		           AND NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = ty.typrelid))
		     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
		         WHERE s.nspname = 'public')`).Scan(&n))
	return n
}

func TestUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t) // migrated up
	m, err := store.NewMigrator(pool)
	require.NoError(t, err)
	defer m.Close()

	files, err := fs.Glob(migrations.FS, "*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	st, err := m.Status(ctx)
	require.NoError(t, err)
	require.Len(t, st, len(files), "every embedded file is a migration")
	objects := schemaObjects(t, pool)
	require.Positive(t, objects)

	for range files {
		require.NoError(t, m.Down(ctx))
	}
	require.Zero(t, schemaObjects(t, pool), "down removes everything up created")
	require.Error(t, m.Down(ctx), "nothing is left to roll back")

	n, err := m.Up(ctx)
	require.NoError(t, err)
	require.Equal(t, len(files), n)
	require.Equal(t, objects, schemaObjects(t, pool), "up again rebuilds the same schema")

	n, err = m.Up(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "up is idempotent")
}

// TestRosterBlocksRollingBackHelpRouting: a duty officer with no commune cannot go back to a
// schema where every staff member has one, so 00008's Down refuses, changing nothing.
func TestRosterBlocksRollingBackHelpRouting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	m, err := store.NewMigrator(pool)
	require.NoError(t, err)
	defer m.Close()
	downTo(t, m, 8) // the migrations after 00008 first
	_, err = pool.Exec(ctx, `INSERT INTO case_manager (name, phone, role) VALUES ('Trực', '+84901000109', 'duty_officer')`)
	require.NoError(t, err)
	require.ErrorContains(t, m.Down(ctx), "on-call roster members")
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM case_manager WHERE commune IS NULL`).Scan(&n))
	require.Equal(t, 1, n)
	_, err = pool.Exec(ctx, `DELETE FROM case_manager WHERE commune IS NULL`)
	require.NoError(t, err)
	require.NoError(t, m.Down(ctx), "without them it rolls back")
}

// downTo rolls back until version is the newest applied migration.
func downTo(t *testing.T, m *store.Migrator, version int64) {
	t.Helper()
	ctx := context.Background()
	for {
		st, err := m.Status(ctx)
		require.NoError(t, err)
		var newest int64
		for _, s := range st {
			if s.Applied {
				newest = max(newest, s.Version)
			}
		}
		if newest <= version {
			return
		}
		require.NoError(t, m.Down(ctx))
	}
}
