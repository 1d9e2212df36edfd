package care

import "time"

// Clock tells the time. Flows and workers take it as a dependency so tests can step time
// instead of sleeping; only SystemClock reads the wall clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// DefaultTimeZone is where Caseline runs unless configured otherwise.
const DefaultTimeZone = "Asia/Ho_Chi_Minh"
