package storetest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/store/storetest"
)

func TestNewPoolGivesEachTestItsOwnMigratedDatabase(t *testing.T) {
	t.Parallel()
	a, b := storetest.NewPool(t), storetest.NewPool(t)
	ctx := context.Background()
	var nameA, nameB string
	require.NoError(t, a.QueryRow(ctx, "SELECT current_database()").Scan(&nameA))
	require.NoError(t, b.QueryRow(ctx, "SELECT current_database()").Scan(&nameB))
	require.NotEqual(t, nameA, nameB)
	_, err := a.Exec(ctx, "INSERT INTO commune (code, name) VALUES ('x1', 'X')")
	require.NoError(t, err)
	var n int
	require.NoError(t, b.QueryRow(ctx, "SELECT count(*) FROM commune").Scan(&n))
	require.Zero(t, n, "a row written in one test's database is not seen in another's")
}
