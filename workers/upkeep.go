package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caseline/caseline/care"
)

// Upkeep keeps the message log fast and private as it grows: each run makes the coming
// month's partition ahead of time, clears the words older than the retention and deletes
// dialog sessions long idle. Every step is idempotent, so each work process runs it.
type Upkeep struct {
	d Deps
}

// NewUpkeep returns the upkeep job.
func NewUpkeep(d Deps) (*Upkeep, error) {
	d, err := d.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Upkeep{d: d}, nil
}

// UpkeepStats says what one run did.
type UpkeepStats struct {
	Cleared  care.Cleared
	Sessions int // dialog sessions deleted
}

// Run runs the job at once, then every UpkeepInterval until ctx ends. A failed step is
// logged; the next run tries again (a partition is made a month before it is needed).
func (u *Upkeep) Run(ctx context.Context) error {
	t := time.NewTicker(u.d.UpkeepInterval)
	defer t.Stop()
	for {
		if st, err := u.Pass(ctx); err != nil && ctx.Err() == nil {
			u.d.Log.Error().Err(err).Msg("upkeep")
		} else if err == nil {
			u.d.Log.Info().Int("bodies", st.Cleared.Messages).Int("descriptions", st.Cleared.HelpRequests).
				Int("sessions", st.Sessions).Msg("upkeep")
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass runs every step once; a step that fails does not stop the next.
func (u *Upkeep) Pass(ctx context.Context) (UpkeepStats, error) {
	var (
		st   UpkeepStats
		errs []error
	)
	now := u.d.Clock.Now()
	if err := u.d.Store.EnsureMessagePartitions(ctx, now); err != nil {
		errs = append(errs, err)
	}
	c, err := u.d.Store.ClearBodies(ctx, now, u.d.BodyRetention)
	if err != nil {
		errs = append(errs, err)
	}
	st.Cleared = c
	if st.Sessions, err = u.d.Store.ExpireSessions(ctx, now.Add(-care.SessionExpiry)); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return st, fmt.Errorf("upkeep: %w", errors.Join(errs...))
	}
	return st, nil
}
