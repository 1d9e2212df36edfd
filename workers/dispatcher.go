package workers

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/caseline/caseline/care"
)

// Dispatcher moves timed work from PostgreSQL into the queue. Each pass, under a lock only
// one replica holds, it writes the check-ins of schedules and the reminders of appointments
// falling soon, the case managers' reminders of reviews and planned services come due, then enqueues every row due within the window under its deterministic task
// id, and every help flow dropped after its category whose session can no longer be
// continued. Work already queued is a harmless conflict; work lost with Redis is queued again.
type Dispatcher struct {
	d Deps
	q Enqueuer
}

// NewDispatcher returns a dispatcher that hands due work to q.
func NewDispatcher(d Deps, q Enqueuer) (*Dispatcher, error) {
	d, err := d.withDefaults()
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, care.Wiring("workers", "the dispatcher needs an enqueuer")
	}
	return &Dispatcher{d: d, q: q}, nil
}

// Run makes a pass every DispatchInterval until ctx ends. A failed pass is logged and the
// next one tries again.
func (d *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTicker(d.d.DispatchInterval)
	defer t.Stop()
	for {
		if _, err := d.Pass(ctx); err != nil && ctx.Err() == nil {
			d.d.Log.Error().Err(err).Msg("dispatch pass")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// PassStats says what one pass did.
type PassStats struct {
	Locked    bool // false when another replica held the lock and this pass did nothing
	CheckIns  int  // check-in rows written from schedules
	Reminders int  // appointments whose reminders were written
	Due       int  // reviews and planned services come due whose case manager was reminded
	Enqueued  int  // due items handed to the queue (including those already there)
}

// enqueuers is how many enqueues run at once in a pass.
const enqueuers = 8

// Pass makes one dispatch pass.
func (d *Dispatcher) Pass(ctx context.Context) (PassStats, error) {
	var st PassStats
	unlock, ok, err := d.d.Store.LockDispatch(ctx)
	if err != nil || !ok {
		return st, err
	}
	defer unlock()
	st.Locked = true
	now := d.d.Clock.Now()
	until := now.Add(d.d.DispatchWindow)
	if st.CheckIns, err = d.d.Store.MaterialiseCheckIns(ctx, now, until, d.d.Location, d.d.DispatchLimit); err != nil {
		return st, fmt.Errorf("dispatch: %w", err)
	}
	lead := now.Add(d.d.Reminders.MaxLead() + d.d.DispatchWindow)
	if st.Reminders, err = d.d.Store.EnsureReminders(ctx, now, lead, d.d.Reminders, d.d.DispatchLimit); err != nil {
		return st, fmt.Errorf("dispatch: %w", err)
	}
	// Before the due work: the reminders it writes are due messages this very pass sends.
	// Reviews and services fall due at local midnight; staff hear of them once quiet hours end.
	if !d.d.Reminders.Quiet.In(now, d.d.Location) {
		if st.Due, err = d.d.Store.RemindDue(ctx, now, d.d.Location, d.d.DispatchLimit, d.d.News); err != nil {
			return st, fmt.Errorf("dispatch: %w", err)
		}
	}
	items, err := d.d.Store.DueWork(ctx, now, until, d.d.providers(), d.d.DispatchLimit)
	if err != nil {
		return st, fmt.Errorf("dispatch: %w", err)
	}
	unfinished, err := d.d.Store.DueUnfinished(ctx, until, d.d.SessionLife, d.d.DispatchLimit)
	if err != nil {
		return st, fmt.Errorf("dispatch: %w", err)
	}
	items = append(items, unfinished...)
	work := make(chan care.DueItem)
	errs := make(chan error, enqueuers)
	var wg sync.WaitGroup
	for range enqueuers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var first error
			for it := range work {
				if err := d.q.Enqueue(ctx, it); err != nil && first == nil {
					first = err
				}
			}
			errs <- first
		}()
	}
	for _, it := range items {
		switch {
		case it.Kind == care.WorkReminders || it.Kind == care.WorkMessages:
			if !it.At.After(now) {
				it.At = batchNow(now) // due now: one task id per batch and period
			}
		case it.At.Before(now):
			it.At = now
		}
		work <- it
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return st, fmt.Errorf("dispatch: %w", err)
		}
	}
	st.Enqueued = len(items)
	// Kept in PostgreSQL so /metrics on any process tells how long ago a pass ended
	// (caseline_dispatcher_lag_seconds) and what it took.
	end := d.d.Clock.Now()
	if err := d.d.Store.RecordDispatchPass(ctx, end, end.Sub(now)); err != nil {
		return st, fmt.Errorf("dispatch: %w", err)
	}
	return st, nil
}
