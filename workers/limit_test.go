package workers

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLimiterHoldsEverySecondAtTheProvider sends through a limiter to a provider that takes
// a random time to receive and to answer each call: however the arrivals fall, no
// 1-second window holds more than the limit.
func TestLimiterHoldsEverySecondAtTheProvider(t *testing.T) {
	t.Parallel()
	const limit, n = 20, 70
	l := newLimiter(limit)
	var (
		mu       sync.Mutex
		arrivals []time.Time
		wg       sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done, err := l.Wait(context.Background())
			require.NoError(t, err)
			defer done()
			time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond) // on the way there
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond) // the answer's way back
		}()
	}
	wg.Wait()
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].Before(arrivals[j]) })
	for i := 0; i+limit < n; i++ {
		require.GreaterOrEqual(t, arrivals[i+limit].Sub(arrivals[i]), time.Second, "arrivals %d to %d", i, i+limit)
	}
}

func TestLimiterGivesBackATurnPastTheDeadline(t *testing.T) {
	t.Parallel()
	l := newLimiter(2)
	for range 2 {
		done, err := l.Wait(context.Background())
		require.NoError(t, err)
		done()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.Wait(ctx)
	require.Error(t, err, "the third call of a second would come after the deadline")
}
