package spool

import (
	"context"
	"time"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Store is what the replayer needs from the database besides the turns; store.Store has it.
type Store interface {
	// DialogSession loads a dialog session; ENOTFOUND when there is none.
	DialogSession(ctx context.Context, channel care.Channel, key string) (*care.DialogSession, error)
	// FileHelp files a help request once per origin (r.Origin).
	FileHelp(ctx context.Context, r dialog.HelpFiling) (bool, error)
}

// Backoff of the replayer while the database is still away.
const (
	replayFirstWait = 200 * time.Millisecond
	replayMaxWait   = 2 * time.Second
)

// Replay handles what the spool holds until ctx ends: each message through engine (its reply
// queued), each interrupted call into a call-back request when due, removing each entry after
// its commit. It waits while the spool is empty, and backs off while entries fail.
func (s *Spool) Replay(ctx context.Context, engine Engine, st Store) {
	wait := replayFirstWait
	for {
		if s.Depth() == 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.wake:
			}
			continue
		}
		if s.replayRound(ctx, engine, st) {
			wait = replayFirstWait
			continue
		}
		// The wall clock: this waits for the database, not for the domain's time.
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, replayMaxWait)
	}
}

// replayRound tries every entry once, in arrival order, and reports whether all went. An entry
// that fails holds back the later messages of its number, so they never overtake it.
func (s *Spool) replayRound(ctx context.Context, engine Engine, st Store) bool {
	blocked := map[care.Phone]bool{}
	ok := true
	for _, name := range s.entries() {
		if ctx.Err() != nil {
			return false
		}
		e, held := s.entry(name)
		if !held || blocked[e.Input.Phone] {
			continue
		}
		err := s.replay(ctx, engine, st, e)
		if err == nil {
			err = s.remove(name)
		}
		if err != nil {
			ok = false
			blocked[e.Input.Phone] = true
			s.log.Warn().Err(err).Str("code", care.ErrorCode(err)).Str("channel", string(e.Input.Channel)).
				Stringer("phone", e.Input.Phone).Msg("spooled entry not handled yet")
		}
	}
	return ok
}

// replay handles one entry.
func (s *Spool) replay(ctx context.Context, engine Engine, st Store, e Entry) error {
	if !e.Call {
		in := e.Input
		in.Deferred = true // the provider had its answer: the reply goes as an outbound message
		r, err := engine.Handle(ctx, in)
		if err == nil {
			s.log.Info().Str("channel", string(in.Channel)).Stringer("phone", in.Phone).Bool("duplicate", r.Duplicate).
				Dur("waited", s.clock.Now().Sub(e.At)).Msg("spooled message handled")
		}
		return err
	}
	sess, err := st.DialogSession(ctx, e.Input.Channel, e.Input.DialogKey())
	if care.ErrorCode(err) == care.ENOTFOUND {
		sess, err = nil, nil
	}
	if err != nil {
		return err
	}
	if !reachedHelp(e, sess) {
		s.log.Info().Str("channel", string(e.Input.Channel)).Stringer("phone", e.Input.Phone).Msg("interrupted call had not reached the help flow")
		return nil
	}
	filed, err := st.FileHelp(ctx, callbackRequest(e, sess, s.clock.Now()))
	if err == nil {
		s.log.Info().Str("channel", string(e.Input.Channel)).Stringer("phone", e.Input.Phone).Bool("filed", filed).
			Msg("interrupted call in the help flow: call-back requested")
	}
	return err
}
