package workers

import (
	"context"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
)

// worker holds what the handlers share: the dependencies and one rate limiter per provider,
// shared by every concurrent task of this process.
type worker struct {
	Deps
	limits map[care.Provider]*limiter
	// claimed counts, per rate-limited provider, the messages claimed and not yet sent, so
	// batches never claim more than the limit lets go before their tasks time out.
	claimed map[care.Provider]*atomic.Int64
}

func newWorker(d Deps) (*worker, error) {
	d, err := d.withDefaults()
	if err != nil {
		return nil, err
	}
	w := &worker{Deps: d, limits: map[care.Provider]*limiter{}, claimed: map[care.Provider]*atomic.Int64{}}
	if d.RateLimit > 0 {
		for p := range d.Senders {
			w.limits[p] = newLimiter(d.Redis, string(p), d.RateLimit, d.TaskTimeout)
			w.claimed[p] = &atomic.Int64{}
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
	mux.Handle(TypeCheckIn, decoded(w.handleCheckIn))
	mux.Handle(TypeEscalation, decoded(w.handleEscalation))
	mux.HandleFunc(TypeReminders, w.handleReminders)
	mux.HandleFunc(TypeMessages, w.handleMessages)
	mux.Handle(TypeUnfinished, decoded(w.handleUnfinished))
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
// ids were written for, in the same order.
func (w *worker) kickMessages(ctx context.Context, ids []care.MessageID, outs []care.Outgoing) {
	queued := make([]care.QueuedMessage, 0, len(ids))
	for i, id := range ids {
		if i < len(outs) {
			queued = append(queued, care.QueuedMessage{ID: id, Provider: outs[i].Provider})
		}
	}
	w.kickQueued(ctx, queued)
}

// kickQueued queues the batches holding freshly queued messages, once each. Messages of
// providers this process does not send for are left to theirs.
//
// A batch's task may be running already, past its last claim, when the kick comes: the
// kick then finds its id taken and the message would wait for the next dispatcher pass. So
// each batch is also queued a second later under an id of that second, shared by every kick
// within it; that task finds nothing to do when the first took the message.
func (w *worker) kickQueued(ctx context.Context, queued []care.QueuedMessage) {
	if w.Enqueuer == nil || len(queued) == 0 {
		return
	}
	type batch struct {
		p    care.Provider
		from int64
	}
	seen := map[batch]bool{}
	now := w.Clock.Now()
	soon := now.Add(time.Second).Truncate(time.Second)
	for _, q := range queued {
		b := batch{q.Provider, care.BatchOf(int64(q.ID))}
		if w.Senders[q.Provider] == nil || seen[b] {
			continue
		}
		seen[b] = true
		it := care.DueItem{Kind: care.WorkMessages, ID: b.from, Stage: string(b.p), N: care.BatchSpan, At: batchNow(now)}
		w.kick(ctx, it)
		it.At = soon
		w.kick(ctx, it)
	}
}

// answerURL is where the gateway renders the TwiML of a call about something.
func (w *worker) answerURL(about string) string {
	return w.PublicBaseURL + "/twilio/voice?about=" + url.QueryEscape(about)
}
