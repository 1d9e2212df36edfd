package workers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// limiter holds one provider to a rate of messages per second across every worker process
// that shares its Redis database. Its state lives in one Redis hash, changed only by the Lua
// scripts below, so the turns of all processes form one sequence on Redis's clock:
//
//   - calls are spaced evenly: a call starts 1/rate after the previous one did (a token
//     bucket of burst 1);
//   - a call may start only a second after the call R calls before it returned (R is the
//     rate): a message arrives at the provider between its call's start and its return, so
//     no 1-second window at the provider ever holds more than R, however late a busy
//     machine starts a call or the network carries it. The cost is the provider's answer
//     time per second: against the fake Twilio (a few ms) about 1 %; against a provider
//     answering in 200 ms, a fifth of the rate.
//
// A turn is taken right before the call, with nothing in between, and handed back when the
// call returns (made or not). A process that dies holding a turn leaves it "with the
// provider" until its lease (a task's time, which bounds a call) has passed. A limiter whose
// state is missing (a new or wiped Redis) waits a second before its first turn, so calls
// that returned before the wipe still count; a call still with the provider at the very
// moment of a wipe is not known to it.
//
// Numbers go into the hash through string.format('%d'): Lua would write large ones as 1.7e+15.
// Rate limits are about the provider's real seconds, so this measures time on Redis's clock
// (TIME) and waits on the wall clock, never on the injected care.Clock, which tests step.
type limiter struct {
	rdb      redis.UniversalClient
	key      string
	ring     int   // R: how many calls a second
	interval int64 // µs between starts
	lease    int64 // µs a call may stay with the provider at most
	// mu lets one goroutine of this process at a time ask Redis for a turn; the others wait
	// here rather than polling Redis.
	mu sync.Mutex
}

func newLimiter(rdb redis.UniversalClient, provider string, perSecond float64, lease time.Duration) *limiter {
	return &limiter{
		rdb: rdb, key: "caseline:limit:" + provider,
		ring: max(1, int(perSecond)), interval: int64(1e6 / perSecond), lease: lease.Microseconds(),
	}
}

// takeTurn reserves the next turn: its slot and how long until it starts (µs). A slot still
// with the provider answers -1 and how long until its lease ends; a turn that would start
// later than ARGV[4] µs from now (when that is not negative) is not taken: -2.
var takeTurn = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local key, ring, interval, lease, maxwait = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('HGET', key, 'ring') ~= ARGV[1] then
  redis.call('DEL', key)
  redis.call('HSET', key, 'ring', ARGV[1], 'head', 0, 'next', string.format('%d', now + 1000000))
end
local head = tonumber(redis.call('HGET', key, 'head'))
local start = math.max(now, tonumber(redis.call('HGET', key, 'next')))
local slot = redis.call('HGET', key, 's' .. head)
if slot then
  local s, e = string.match(slot, '^(%d+) (%d+)')
  s, e = tonumber(s), tonumber(e)
  if e == 0 then
    if now < s + lease then return {-1, s + lease - now} end
    e = s + lease
  end
  start = math.max(start, e + 1000000)
end
local wait = start - now
if maxwait >= 0 and wait > maxwait then return {-2, wait} end
redis.call('HSET', key, 's' .. head, string.format('%d 0 ', start) .. ARGV[5], 'head', (head + 1) % ring,
  'next', string.format('%d', start + interval))
return {head, wait}
`)

// endTurn records that the call of slot ARGV[1] returned now, if the slot is still that
// turn's (ARGV[2]); never earlier than the turn's start.
var endTurn = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = redis.call('HGET', KEYS[1], 's' .. ARGV[1])
if not slot then return 0 end
local s, e, token = string.match(slot, '^(%d+) (%d+) (.*)$')
if token ~= ARGV[2] or tonumber(e) ~= 0 then return 0 end
redis.call('HSET', KEYS[1], 's' .. ARGV[1], string.format('%s %d %s', s, math.max(now, tonumber(s)), token))
return 1
`)

// errNoTurn says the turn could not come before the context's deadline.
var errNoTurn = errors.New("rate limit: no turn before the deadline")

// turnPoll is how often a turn waiting for a call still with the provider asks again.
const turnPoll = 5 * time.Millisecond

// Wait blocks until a call may start now and returns done, to be called when the call
// returns (made or not); an error means the call must not be made: the context ended, its
// deadline comes before the turn, or Redis could not be asked.
func (l *limiter) Wait(ctx context.Context) (done func(), err error) {
	token := rand.Text() // tells this turn from any other process's
	slot, wait, err := l.take(ctx, token)
	if err != nil {
		return nil, err
	}
	done = func() {
		// A lost end keeps the turn "with the provider" until its lease: slower, never faster.
		ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = endTurn.Run(ectx, l.rdb, []string{l.key}, slot, token).Err()
	}
	if wait > 0 {
		t := time.NewTimer(time.Duration(wait) * time.Microsecond)
		defer t.Stop()
		select {
		case <-ctx.Done():
			done()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return done, nil
}

// take reserves a turn for token: its slot and the µs until it starts.
func (l *limiter) take(ctx context.Context, token string) (slot, wait int64, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		maxWait := int64(-1)
		if d, ok := ctx.Deadline(); ok {
			maxWait = max(0, time.Until(d).Microseconds())
		}
		res, err := takeTurn.Run(ctx, l.rdb, []string{l.key}, l.ring, l.interval, l.lease, maxWait, token).Int64Slice()
		if err != nil {
			if ctx.Err() != nil {
				return 0, 0, ctx.Err()
			}
			return 0, 0, fmt.Errorf("rate limit: %w", err)
		}
		switch res[0] {
		case -2:
			return 0, 0, errNoTurn
		case -1: // the call R calls ago is still with the provider
			t := time.NewTimer(min(turnPoll, time.Duration(res[1])*time.Microsecond))
			select {
			case <-ctx.Done():
				t.Stop()
				return 0, 0, ctx.Err()
			case <-t.C:
			}
		default:
			return res[0], res[1], nil
		}
	}
}
