package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
)

// Batches: a backlog of reminders or messages goes a batch of care.BatchSpan consecutive ids
// per task, so 100,000 reminders due at once are a few hundred tasks and a few hundred
// commits, not 200,000 of each. Each batch keeps the guarantees of one row: every row is
// locked, re-read and decided on its own, and a message row is claimed
// (committed 'sending') before its provider is called and its provider id recorded after.

// decodeBatch reads a batch task's payload: its first id (0 is a valid one) and span.
func decodeBatch(t *asynq.Task) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID < 0 || p.N < 0 {
		return p, fmt.Errorf("decode %s payload: %v: %w", t.Type(), err, asynq.SkipRetry)
	}
	if p.N == 0 {
		p.N = care.BatchSpan
	}
	return p, nil
}

// handleReminders sends the due reminders of one batch, each decided by decideReminder, recorded with their messages in one transaction. The messages of providers
// this process sends for without a rate limit are written claimed, and sent and recorded
// right after the commit, as a batch of messages would be; the others are queued and their
// batches kicked.
func (w *worker) handleReminders(ctx context.Context, t *asynq.Task) error {
	p, err := decodeBatch(t)
	if err != nil {
		return err
	}
	now := w.Clock.Now()
	queued, err := w.Store.RunReminders(ctx, care.ReminderID(p.ID), p.N, now, w.claim(), func(rw care.ReminderWork) (care.ReminderResult, error) {
		return w.decideReminder(rw, now), nil
	})
	if err != nil {
		return fmt.Errorf("reminders from %d: %w", p.ID, err)
	}
	if err := w.deliver(ctx, queued); err != nil {
		return fmt.Errorf("reminders from %d: %w", p.ID, err)
	}
	return nil
}

// claim asks for the messages of the providers this process sends for without a rate limit
// to be written claimed: the task that writes them sends them, with no hop through Redis
// nor a second write to claim them.
func (w *worker) claim() care.Claim {
	c := care.Claim{Lease: w.Lease}
	for p := range w.Senders {
		if w.limits[p] == nil {
			c.Providers = append(c.Providers, p)
		}
	}
	return c
}

// deliver sends and records the messages a handler wrote claimed, and queues the batches of
// the others. An error leaves the claimed ones to their lease: at most they repeat.
func (w *worker) deliver(ctx context.Context, queued []care.QueuedMessage) error {
	claimed := map[care.Provider][]*care.Message{}
	var rest []care.QueuedMessage
	for _, q := range queued {
		if q.Claimed != nil {
			claimed[q.Provider] = append(claimed[q.Provider], q.Claimed)
		} else {
			rest = append(rest, q)
		}
	}
	w.kickQueued(ctx, rest)
	var first error
	for prov, msgs := range claimed {
		// A number that proved bad leaves its other messages queued for the dispatcher's
		// next pass, which skips them.
		if _, err := w.sendAll(ctx, prov, msgs); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// handleMessages sends the due messages of one batch of one provider: it claims them in one
// statement (committed before any provider call), sends them concurrently, each taking its
// turn under the provider's rate limit, and records each accepted send as it happens (a
// recorder writes them a few milliseconds apart). It claims again until the batch has
// nothing due, so messages queued while it runs go with it; a worker killed mid-batch
// repeats at most the messages it had in flight.
func (w *worker) handleMessages(ctx context.Context, t *asynq.Task) error {
	p, err := decodeBatch(t)
	if err != nil {
		return err
	}
	provider := care.Provider(p.Stage)
	if w.Senders[provider] == nil {
		return nil // another process sends this provider's messages
	}
	providers := []care.Provider{provider}
	deadline, hasDeadline := ctx.Deadline()
	for {
		limit := w.claimLimit(provider)
		if limit <= 0 {
			return nil // the limiter has enough to do; the dispatcher brings the rest back
		}
		msgs, err := w.Store.ClaimMessages(ctx, care.MessageID(p.ID), p.N, providers, w.Clock.Now(), w.Lease, limit)
		if err != nil {
			return fmt.Errorf("messages from %d: %w", p.ID, err)
		}
		if len(msgs) == 0 {
			return nil
		}
		more, err := w.sendAll(ctx, provider, msgs)
		if err != nil {
			return fmt.Errorf("messages from %d: %w", p.ID, err)
		}
		if !more || (hasDeadline && time.Until(deadline) < w.TaskTimeout/2) {
			return nil
		}
	}
}

// claimLimit is how many messages of provider a batch may claim: a whole batch without a
// rate limit; with one, no more than the limit lets go within half a task's time, counting
// what other batches claimed and have not sent yet.
func (w *worker) claimLimit(provider care.Provider) int {
	n := w.claimed[provider]
	if n == nil {
		return care.BatchSpan
	}
	budget := max(1, int(w.RateLimit*w.TaskTimeout.Seconds()/2)) - int(n.Load())
	return min(care.BatchSpan, budget)
}

// sendConcurrency is how many messages of one batch are with the provider at once.
const sendConcurrency = 32

// sendAll sends claimed messages and records what the provider said: each accepted one as
// it is accepted (through a recorder, which groups the writes of a few milliseconds),
// refusals one by one after the calls (they are rare, and a refused send repeated is not a
// message sent twice), turns that could not come before the task's deadline given back.
// more is false when a turn was given back, so the batch stops claiming and leaves the rest
// to a later task.
func (w *worker) sendAll(ctx context.Context, provider care.Provider, msgs []*care.Message) (more bool, err error) {
	lim := w.limits[provider]
	if n := w.claimed[provider]; n != nil {
		n.Add(int64(len(msgs)))
		defer n.Add(-int64(len(msgs)))
	}
	type result struct {
		providerID string
		err        error
		released   bool // the turn never came: given back, the batch stops
		held       bool // an earlier message to the number failed for good: given back
	}
	results := make([]result, len(msgs))
	// Each number's first message goes first, all numbers at once; the rest follow, all at
	// once, only to numbers that did not prove bad (invalid, unsubscribed): those are given
	// back and then skipped, never tried, as they would be one task at a time. Two rounds
	// at most, so a batch of messages to one busy number (a case manager's) ends well
	// within its lease.
	seen := map[care.Phone]bool{}
	var firsts, rest []int
	for i, m := range msgs {
		if seen[m.Phone] {
			rest = append(rest, i)
			continue
		}
		seen[m.Phone] = true
		firsts = append(firsts, i)
	}
	bad := map[care.Phone]bool{}
	var badMu sync.Mutex
	rec := w.startRecorder(ctx)
	round := func(idx []int) {
		sem := make(chan struct{}, sendConcurrency)
		var wg sync.WaitGroup
		for _, i := range idx {
			m := msgs[i]
			badMu.Lock()
			held := bad[m.Phone]
			badMu.Unlock()
			if held {
				results[i].held = true
				continue
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				// The provider's turn is taken right before the call, with nothing in
				// between; no call starts after the task's deadline, so every call ends
				// (within the provider's HTTP timeout) before the claim's lease does.
				if lim != nil {
					sent, err := lim.Wait(ctx)
					if err != nil {
						results[i].released = true
						return
					}
					defer sent()
				} else if ctx.Err() != nil {
					results[i].released = true
					return
				}
				results[i].providerID, results[i].err = w.send(ctx, m)
				if results[i].err == nil {
					rec.add(care.Sent{ID: m.ID, Attempts: m.Attempts, ProviderID: results[i].providerID})
				}
				var pe *care.ProviderError
				if errors.As(results[i].err, &pe) && !pe.Retryable() && (pe.Unreachable() || pe.Unsubscribed()) {
					badMu.Lock()
					bad[m.Phone] = true
					badMu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	round(firsts)
	round(rest)
	if err := rec.wait(); err != nil {
		return false, err // the lease brings them back: at most these repeat
	}
	now := w.Clock.Now()
	// Refusals and given-back turns are recorded even when the task's deadline passed
	// during the calls.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	more = true
	var first error
	for i, m := range msgs {
		r := results[i]
		switch {
		case r.released || r.held:
			more = more && !r.released
			if err := w.Store.ReleaseMessage(rctx, m.ID, m.Attempts, now); err != nil && first == nil {
				first = err // the lease brings it back
			}
		case r.err != nil:
			if err := w.recordFailed(rctx, m, r.err, now); err != nil && first == nil {
				first = err
			}
		}
	}
	if !more {
		zerolog.Ctx(ctx).Debug().Str("provider", string(provider)).Msg("rate limit: turns given back")
	}
	return more, first
}
