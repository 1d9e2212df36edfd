package workers

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds one provider to a rate of messages per second, shared by every concurrent
// send of the process. A token bucket (burst 1) spaces the calls evenly; on top, a sliding
// window over the calls' actual start times keeps any 1-second window (plus a margin) to
// the limit, because a token bucket counts ideal slots: a call that starts late (a busy
// machine) followed by one on time would otherwise put limit+1 calls in one second, and the
// provider counts what arrives. The margin absorbs jitter between our call and its arrival.
//
// Rate limits are about the provider's real seconds, so this measures time with the wall
// clock (as rate.Limiter does), not the injected care.Clock, which tests step by hand.
type limiter struct {
	bucket *rate.Limiter
	now    func() time.Time
	span   time.Duration // the window, a margin more than a second

	mu     sync.Mutex
	starts []time.Time // the last len(starts) calls' start times, a ring; empty under 1/s
	next   int
}

// windowMargin is how much longer than a second the window is: the most jitter between a
// call and its arrival at the provider that cannot push the limit+1st call into the same
// second. It costs about 2 % of the rate.
const windowMargin = 20 * time.Millisecond

func newLimiter(perSecond float64) *limiter {
	l := &limiter{bucket: rate.NewLimiter(rate.Limit(perSecond), 1), now: time.Now, span: time.Second + windowMargin}
	if n := int(perSecond); n >= 1 {
		l.starts = make([]time.Time, n)
	}
	return l
}

// errNoTurn says the turn could not come before the context's deadline.
var errNoTurn = errors.New("rate limit: no turn before the deadline")

// Wait blocks until a call may start now, and counts it as started; an error means the call
// must not be made (the context ended, or its deadline comes before the turn).
func (l *limiter) Wait(ctx context.Context) error {
	if err := l.bucket.Wait(ctx); err != nil {
		return err
	}
	if len(l.starts) == 0 {
		return nil
	}
	for {
		l.mu.Lock()
		now := l.now()
		free := l.starts[l.next].Add(l.span) // when the call limit calls ago leaves the window
		if !now.Before(free) {
			l.starts[l.next] = now
			l.next = (l.next + 1) % len(l.starts)
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		if d, ok := ctx.Deadline(); ok && d.Before(free) {
			return errNoTurn
		}
		t := time.NewTimer(free.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
