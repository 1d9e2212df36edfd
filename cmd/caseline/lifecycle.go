package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// component is one long-lived part of the process. runComponents starts components in
// order and stops them in reverse, so what a component uses is up before it and still up
// while it stops.
type component struct {
	name string
	// start brings the component up and returns once it is ready; nil for a resource that
	// was opened before. A component that keeps running reports a later failure through
	// fail, which stops the whole process.
	start func(ctx context.Context, fail func(error)) error
	// stop shuts it down and returns once every goroutine it started has exited.
	stop func(ctx context.Context) error
}

// Shutdown bounds: each stop gets what is left of stopTimeout; the watchdog gives up on a
// stop that ignores its context watchdogSlack later, so the process still exits.
const (
	stopTimeout   = 20 * time.Second
	watchdogSlack = 5 * time.Second
)

// runComponents starts cs in order, runs until ctx is done or one fails, then stops those
// that started, in reverse. It returns the failure and any stop errors, or nil after a
// clean shutdown on ctx.
func runComponents(ctx context.Context, log zerolog.Logger, cs []component) error {
	return runComponentsWithin(ctx, log, cs, stopTimeout, watchdogSlack)
}

func runComponentsWithin(ctx context.Context, log zerolog.Logger, cs []component, timeout, slack time.Duration) error {
	failed := make(chan error, 1)
	fail := func(err error) {
		select {
		case failed <- err:
		default: // the first failure is already stopping everything
		}
	}
	var runErr error
	started := 0
	for _, c := range cs {
		if c.start != nil {
			if err := c.start(ctx, fail); err != nil {
				runErr = fmt.Errorf("start %s: %w", c.name, err)
				break
			}
		}
		started++
	}
	if runErr == nil {
		log.Info().Msg("started")
		select {
		case <-ctx.Done():
			log.Info().Msg("stopping")
		case runErr = <-failed:
			log.Error().Err(runErr).Msg("stopping after a failure")
		}
	}
	if err := stopAll(context.WithoutCancel(ctx), log, cs[:started], timeout, slack); err != nil {
		return errors.Join(runErr, err)
	}
	log.Info().Msg("stopped")
	return runErr
}

// stopAll stops cs in reverse under a deadline and a watchdog. The stopping goroutine is
// waited for, unless the watchdog fires: then a stop is stuck and the process is exiting.
func stopAll(ctx context.Context, log zerolog.Logger, cs []component, timeout, slack time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var current atomic.Pointer[string]
	done := make(chan error, 1)
	go func() {
		var errs []error
		for i := len(cs) - 1; i >= 0; i-- {
			current.Store(&cs[i].name)
			if err := cs[i].stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", cs[i].name, err))
				continue
			}
			log.Debug().Str("component", cs[i].name).Msg("stopped")
		}
		done <- errors.Join(errs...)
	}()
	watchdog := time.NewTimer(timeout + slack)
	defer watchdog.Stop()
	select {
	case err := <-done:
		return err
	case <-watchdog.C:
		return fmt.Errorf("stop %s: still running %s after shutdown began; giving up", *current.Load(), timeout+slack)
	}
}

// loopComponent runs run in a goroutine of its own until stop cancels its context and waits
// for it; an error from run stops the process. run gets the process's logger but not its
// cancellation: only stop ends it, in its turn.
func loopComponent(name string, run func(ctx context.Context) error) component {
	var (
		cancel context.CancelFunc
		wg     sync.WaitGroup
	)
	return component{
		name: name,
		start: func(ctx context.Context, fail func(error)) error {
			var runCtx context.Context
			runCtx, cancel = context.WithCancel(context.WithoutCancel(ctx))
			wg.Go(func() {
				if err := run(runCtx); err != nil {
					fail(fmt.Errorf("%s: %w", name, err))
				}
			})
			return nil
		},
		stop: func(context.Context) error {
			cancel()
			wg.Wait()
			return nil
		},
	}
}
