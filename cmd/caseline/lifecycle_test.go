package main

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// recorder notes the order components start and stop in.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) note(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// fake is a component that records itself; startErr fails its start, and failAfterStart
// reports a failure once started, as a server whose listener dies would.
func fake(r *recorder, name string, startErr error, failAfterStart error) component {
	return component{
		name: name,
		start: func(_ context.Context, fail func(error)) error {
			r.note("start " + name)
			if startErr == nil && failAfterStart != nil {
				fail(failAfterStart)
			}
			return startErr
		},
		stop: func(context.Context) error { r.note("stop " + name); return nil },
	}
}

func TestComponentsStartInOrderAndStopInReverse(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name    string
		cs      func(r *recorder) []component
		cancel  bool // cancel the context once started, as a signal does
		wantErr string
		want    []string
	}{
		{"stop on cancel", func(r *recorder) []component {
			return []component{fake(r, "db", nil, nil), fake(r, "http", nil, nil)}
		}, true, "", []string{"start db", "start http", "stop http", "stop db"}},
		{"a start fails: the ones before stop, the rest never start", func(r *recorder) []component {
			return []component{fake(r, "db", nil, nil), fake(r, "workers", boom, nil), fake(r, "http", nil, nil)}
		}, false, "start workers: boom", []string{"start db", "start workers", "stop db"}},
		{"a running component fails: everything stops", func(r *recorder) []component {
			return []component{fake(r, "db", nil, nil), fake(r, "http", nil, boom)}
		}, false, "boom", []string{"start db", "start http", "stop http", "stop db"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &recorder{}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			err := runComponentsWithin(ctx, zerolog.Nop(), tt.cs(r), time.Second, time.Second)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tt.wantErr)
			}
			require.Equal(t, tt.want, r.list())
		})
	}
}

func TestStopErrorsAreReportedAndTheRestStillStop(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	broken := component{name: "redis", stop: func(context.Context) error { return errors.New("close: broken pipe") }}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := runComponentsWithin(ctx, zerolog.Nop(), []component{fake(r, "db", nil, nil), broken, fake(r, "http", nil, nil)}, time.Second, time.Second)
	require.EqualError(t, err, "stop redis: close: broken pipe")
	require.Equal(t, []string{"start db", "start http", "stop http", "stop db"}, r.list())
}

func TestWatchdogGivesUpOnAStuckStop(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release) // lets the abandoned stop goroutine end with the test
	stuck := component{name: "workers", stop: func(context.Context) error { <-release; return nil }}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	begin := time.Now()
	err := runComponentsWithin(ctx, zerolog.Nop(), []component{stuck}, 50*time.Millisecond, 50*time.Millisecond)
	require.EqualError(t, err, "stop workers: still running 100ms after shutdown began; giving up")
	require.Less(t, time.Since(begin), 2*time.Second)
}

func TestStopsShareADeadline(t *testing.T) {
	t.Parallel()
	var deadline time.Time
	var hasDeadline bool
	c := component{name: "http", stop: func(ctx context.Context) error {
		deadline, hasDeadline = ctx.Deadline()
		return nil
	}}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	begin := time.Now()
	require.NoError(t, runComponentsWithin(ctx, zerolog.Nop(), []component{c}, time.Minute, time.Second))
	require.True(t, hasDeadline)
	require.WithinDuration(t, begin.Add(time.Minute), deadline, 5*time.Second)
}
