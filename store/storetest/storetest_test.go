package storetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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

// TestSentinelFailsOver: the set-up NewSentinel starts promotes its replica when the master
// is killed, and a client that follows the Sentinels finds the data there.
func TestSentinelFailsOver(t *testing.T) {
	t.Parallel()
	s := storetest.NewSentinel(t)
	ctx := context.Background()
	rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: storetest.SentinelMaster, SentinelAddrs: s.Addrs()})
	defer rdb.Close()
	require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
	require.NoError(t, rdb.Wait(ctx, 1, time.Second).Err(), "the replica has the write")

	old := s.KillMaster()
	now := s.WaitForNewMaster(old, 30*time.Second)
	require.NotEqual(t, old, now)
	require.Eventually(t, func() bool { return rdb.Get(ctx, "k").Val() == "v" }, 10*time.Second, 100*time.Millisecond,
		"the client follows the Sentinels to the new master")
}
