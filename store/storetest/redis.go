package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisAddr is the Redis the tests use; scripts/services.sh starts it.
const RedisAddr = "127.0.0.1:6379"

// Redis databases 1 to 14 are leased to tests that need one to themselves: asynq's task ids
// are global per database, so two tests sharing one would take each other's tasks. Database
// 0 holds only the leases; 15 belongs to cmd/caseline's short-lived processes.
const (
	firstLeasedDB = 1
	lastLeasedDB  = 14
	leaseTTL      = 10 * time.Minute
)

// NewRedisDB leases a Redis database index for t, across every test process running at
// once, and empties it before and after the test. It waits up to two minutes for one to be
// free.
func NewRedisDB(t testing.TB) int {
	t.Helper()
	ctx := context.Background()
	leases := redis.NewClient(&redis.Options{Addr: RedisAddr})
	t.Cleanup(func() { leases.Close() })
	token := randomHex(8)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		for i := firstLeasedDB; i <= lastLeasedDB; i++ {
			key := fmt.Sprintf("caseline:testdb:%d", i)
			ok, err := leases.SetNX(ctx, key, token, leaseTTL).Result()
			if err != nil {
				t.Fatalf("lease a Redis test database: %v (is Redis running on %s? try `bash scripts/services.sh`)", err, RedisAddr)
			}
			if !ok {
				continue
			}
			db := redis.NewClient(&redis.Options{Addr: RedisAddr, DB: i})
			if err := db.FlushDB(ctx).Err(); err != nil {
				t.Fatalf("empty Redis test database %d: %v", i, err)
			}
			// Registered now, so it runs after whatever the test starts later has stopped.
			t.Cleanup(func() {
				_ = db.FlushDB(ctx).Err()
				db.Close()
				if v, _ := leases.Get(ctx, key).Result(); v == token {
					leases.Del(ctx, key)
				}
			})
			return i
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no free Redis test database in two minutes")
	return 0
}
