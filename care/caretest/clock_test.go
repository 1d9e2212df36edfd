package caretest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care/caretest"
)

func TestClockMovesOnlyWhenMoved(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := caretest.NewClock(start)
	require.Equal(t, start, c.Now())
	require.Equal(t, start.Add(90*time.Minute), c.Advance(90*time.Minute))
	require.Equal(t, start.Add(90*time.Minute), c.Now())
	c.Set(start)
	require.Equal(t, start, c.Now())
}

func TestClockKeepsItsLocation(t *testing.T) {
	t.Parallel()
	hanoi := time.FixedZone("ICT", 7*60*60)
	c := caretest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, hanoi))
	require.Same(t, hanoi, c.Advance(time.Hour).Location())
}

func TestClockIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	c := caretest.NewClock(time.Time{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	require.Equal(t, time.Time{}.Add(800*time.Second), c.Now())
}
