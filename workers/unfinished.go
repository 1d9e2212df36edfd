package workers

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// handleUnfinished reports a help flow dropped after its category was chosen: once its
// session can no longer be continued (an SMS conversation past its time-to-live, a USSD
// session or call past the resume window), the request is filed as it stood, marked
// unfinished, and goes up the caller's ladder like any help request, so a person decides
// whether to follow it up. The caller is never called back automatically. A safety request
// goes up the urgent ladder (care.UrgentHelp): someone who breaks off a report about their
// safety may have been interrupted by the very person they were reporting, and waiting a
// day to hear of it is the worse mistake.
func (w *worker) handleUnfinished(ctx context.Context, p Payload) error {
	now := w.Clock.Now()
	esc, err := w.Store.RunUnfinished(ctx, p.ID, now, func(u care.UnfinishedWork) (care.UnfinishedResult, error) {
		return w.decideUnfinished(u, now), nil
	})
	if care.ErrorCode(err) == care.ENOTFOUND {
		zerolog.Ctx(ctx).Warn().Int64("session", p.ID).Msg("dialog session gone")
		return nil
	}
	if err != nil {
		return fmt.Errorf("unfinished help of session %d: %w", p.ID, err)
	}
	if esc != 0 {
		zerolog.Ctx(ctx).Info().Int64("session", p.ID).Int64("escalation", int64(esc)).Msg("unfinished help request reported")
		w.kick(ctx, care.DueItem{Kind: care.WorkEscalation, ID: int64(esc), Stage: care.StageNotify, N: 0, At: now})
	}
	return nil
}

// decideUnfinished reports the session's pending help request once its life is over.
func (w *worker) decideUnfinished(u care.UnfinishedWork, now time.Time) care.UnfinishedResult {
	if u.Since == nil {
		return care.UnfinishedResult{} // reported already, or filed
	}
	h, ok := flows.PendingHelp(u.Session)
	if !ok {
		return care.UnfinishedResult{Clear: true} // the conversation moved on
	}
	if !now.After(u.Session.UpdatedAt.Add(w.SessionLife.Of(u.Session.Channel))) {
		return care.UnfinishedResult{} // it can still be continued; listed again when it cannot
	}
	var pr care.Priority
	if p := u.Person; p != nil {
		h.PersonID, h.Commune = p.ID, p.Commune
		pr = p.Priority(now.In(w.Location))
	}
	h.Unfinished = true
	return care.UnfinishedResult{Report: &h, NextLevelAt: now.Add(w.SLA.For(pr.Urgent(h.Category, h.InDanger))), Priority: pr}
}
