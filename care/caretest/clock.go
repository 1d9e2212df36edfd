package caretest

import (
	"sync"
	"time"

	"github.com/caseline/caseline/care"
)

// Clock is a care.Clock that only moves when a test moves it. It is safe for concurrent use:
// the code under test may read it from other goroutines while the test steps it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

var _ care.Clock = (*Clock)(nil)

// NewClock returns a clock reading t, in t's own location, until it is moved.
func NewClock(t time.Time) *Clock {
	return &Clock{now: t}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t, forwards or backwards.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
