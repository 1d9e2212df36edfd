package workers

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter holds one provider to a rate of messages per second, shared by every concurrent
// send of the process. A token bucket (burst 1) spaces the calls evenly. On top, a call may
// start only a second after the call limit calls before it returned: a message arrives at
// the provider between its call's start and its return, so no 1-second window at the
// provider ever holds more than the limit, however late a busy machine starts a call or
// the network carries it. (The bucket alone counts ideal slots: a late call followed by one
// on time put 213 arrivals in one second at a limit of 200 on a loaded machine.) The cost
// is the provider's answer time per second: against the fake Twilio (a few ms) about 1 %;
// against a provider answering in 200 ms, a fifth of the rate.
//
// Rate limits are about the provider's real seconds, so this measures time with the wall
// clock (as rate.Limiter does), not the injected care.Clock, which tests step by hand.
type limiter struct {
	bucket *rate.Limiter
	now    func() time.Time

	mu    sync.Mutex
	calls []*call // the last len(calls) calls, a ring; empty under one a second
	next  int
}

// call is one call's turn: ended is closed once end is set.
type call struct {
	end   time.Time
	ended chan struct{}
}

func newLimiter(perSecond float64) *limiter {
	l := &limiter{bucket: rate.NewLimiter(rate.Limit(perSecond), 1), now: time.Now}
	if n := int(perSecond); n >= 1 {
		l.calls = make([]*call, n)
	}
	return l
}

// errNoTurn says the turn could not come before the context's deadline.
var errNoTurn = errors.New("rate limit: no turn before the deadline")

// Wait blocks until a call may start now and returns done, to be called when the call
// returns (made or not); an error means the call must not be made: the context ended, or
// its deadline comes before the turn.
func (l *limiter) Wait(ctx context.Context) (done func(), err error) {
	if err := l.bucket.Wait(ctx); err != nil {
		return nil, err
	}
	if len(l.calls) == 0 {
		return func() {}, nil
	}
	for {
		l.mu.Lock()
		prev := l.calls[l.next] // the call limit calls ago
		var free time.Time
		if prev != nil {
			select {
			case <-prev.ended:
				free = prev.end.Add(time.Second)
			default: // still with the provider: wait for it to return
				l.mu.Unlock()
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-prev.ended:
				}
				continue
			}
		}
		now := l.now()
		if !now.Before(free) {
			c := &call{ended: make(chan struct{})}
			l.calls[l.next] = c
			l.next = (l.next + 1) % len(l.calls)
			l.mu.Unlock()
			return func() { c.end = l.now(); close(c.ended) }, nil
		}
		l.mu.Unlock()
		if d, ok := ctx.Deadline(); ok && d.Before(free) {
			return nil, errNoTurn
		}
		t := time.NewTimer(free.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
