package workers

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/store/storetest"
)

// testRedis is a Redis database of the test's own.
func testRedis(t *testing.T) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: storetest.RedisAddr, DB: storetest.NewRedisDB(t)})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// TestLimiterHoldsEverySecondAtTheProvider sends through two limiters sharing one Redis (two
// worker processes) to a provider that takes a random time to receive and to answer each
// call: however the arrivals fall, no 1-second window holds more than the limit.
func TestLimiterHoldsEverySecondAtTheProvider(t *testing.T) {
	t.Parallel()
	const limit, n = 20, 70
	rdb := testRedis(t)
	ls := []*limiter{newLimiter(rdb, "twilio", limit, time.Minute), newLimiter(rdb, "twilio", limit, time.Minute)}
	var (
		mu       sync.Mutex
		arrivals []time.Time
		wg       sync.WaitGroup
	)
	for i := range n {
		wg.Go(func() {
			done, err := ls[i%2].Wait(context.Background())
			require.NoError(t, err)
			defer done()
			time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond) // on the way there
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond) // the answer's way back
		})
	}
	wg.Wait()
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].Before(arrivals[j]) })
	for i := 0; i+limit < n; i++ {
		require.GreaterOrEqual(t, arrivals[i+limit].Sub(arrivals[i]), time.Second, "arrivals %d to %d", i, i+limit)
	}
}

func TestLimiterGivesBackATurnPastTheDeadline(t *testing.T) {
	t.Parallel()
	l := newLimiter(testRedis(t), "twilio", 2, time.Minute)
	for range 2 {
		done, err := l.Wait(context.Background())
		require.NoError(t, err)
		done()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.Wait(ctx)
	require.ErrorIs(t, err, errNoTurn, "the third call of a second would come after the deadline")
}

// A process killed while its call was with the provider never hands its turn back: the turn
// counts as with the provider until its lease ends, then the others go on.
func TestLimiterOutlivesAProcessKilledWithATurn(t *testing.T) {
	t.Parallel()
	rdb := testRedis(t)
	dead := newLimiter(rdb, "twilio", 1, 1500*time.Millisecond)
	_, err := dead.Wait(context.Background()) // taken, never handed back
	require.NoError(t, err)
	alive := newLimiter(rdb, "twilio", 1, 1500*time.Millisecond)
	began := time.Now()
	done, err := alive.Wait(context.Background())
	require.NoError(t, err)
	done()
	// The dead turn's lease (1.5 s) plus a second.
	require.GreaterOrEqual(t, time.Since(began), 2*time.Second)
}
