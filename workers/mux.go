package workers

import (
	"context"
	"net/url"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"

	"github.com/caseline/caseline/care"
)

// worker holds what the handlers share: the dependencies and one rate limiter per provider,
// shared by every concurrent task of this process.
type worker struct {
	Deps
	limits map[care.Provider]*rate.Limiter
}

func newWorker(d Deps) (*worker, error) {
	d, err := d.withDefaults()
	if err != nil {
		return nil, err
	}
	w := &worker{Deps: d, limits: map[care.Provider]*rate.Limiter{}}
	if d.RateLimit > 0 {
		for p := range d.Senders {
			w.limits[p] = rate.NewLimiter(rate.Limit(d.RateLimit), 1)
		}
	}
	return w, nil
}

// NewMux returns an asynq ServeMux with every handler registered on d.
func NewMux(d Deps) (*asynq.ServeMux, error) {
	mux := asynq.NewServeMux()
	if err := Register(mux, d); err != nil {
		return nil, err
	}
	return mux, nil
}

// Register registers every handler on mux, with a middleware that puts a per-task logger in
// the context.
func Register(mux *asynq.ServeMux, d Deps) error {
	w, err := newWorker(d)
	if err != nil {
		return err
	}
	mux.Use(logTasks(w.Log))
	mux.HandleFunc(TypeReminder, w.handleReminder)
	mux.HandleFunc(TypeCheckIn, w.handleCheckIn)
	mux.HandleFunc(TypeEscalation, w.handleEscalation)
	mux.HandleFunc(TypeMessage, w.handleMessage)
	return nil
}

// kick queues follow-up work right after a commit, when an Enqueuer is set. A failure only
// delays the work to the next dispatcher pass, so it is logged, not returned; so is work due
// after the dispatch window, which Redis never holds.
func (w *worker) kick(ctx context.Context, items ...care.DueItem) {
	if w.Enqueuer == nil {
		return
	}
	horizon := w.Clock.Now().Add(w.DispatchWindow)
	for _, it := range items {
		if it.At.After(horizon) {
			continue
		}
		if err := w.Enqueuer.Enqueue(ctx, it); err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Str("work", TaskID(it)).Msg("queue follow-up")
		}
	}
}

// kickMessages queues the first attempt of freshly queued messages; outs are the messages
// ids were written for, in the same order. Messages of providers this process does not send
// for are left to theirs.
func (w *worker) kickMessages(ctx context.Context, ids []care.MessageID, outs []care.Outgoing) {
	if w.Enqueuer == nil {
		return
	}
	now := w.Clock.Now()
	for i, id := range ids {
		if i >= len(outs) || w.Senders[outs[i].Provider] == nil {
			continue
		}
		w.kick(ctx, care.DueItem{Kind: care.WorkMessage, ID: int64(id), Stage: string(outs[i].Provider), N: 0, At: now})
	}
}

// answerURL is where the gateway renders the TwiML of a call about something.
func (w *worker) answerURL(about string) string {
	return w.PublicBaseURL + "/twilio/voice?about=" + url.QueryEscape(about)
}
