package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/caseline/caseline/care"
)

// Task types, one per kind of timed work.
const (
	TypeCheckIn    = "checkin:step"
	TypeEscalation = "escalation:step"
	// TypeReminders and TypeMessages run a batch: the due rows of BatchSpan consecutive ids.
	TypeReminders = "reminders:send"
	TypeMessages  = "messages:send"
	// TypeUnfinished reports a help flow dropped after its category (a dialog session).
	TypeUnfinished = "help:unfinished"
)

// Queues. A task id is unique per queue, so each type always goes to the same one.
const (
	QueueCritical = "critical" // check-ins, escalations and unfinished help requests
	QueueOutbox   = "outbox"   // outbound messages: never stuck behind a batch of reminders
	QueueDefault  = "default"  // reminders
)

// Queues is the weighting Configure gives the queues.
var Queues = map[string]int{QueueCritical: 6, QueueOutbox: 3, QueueDefault: 2}

// DefaultTaskTimeout bounds one task. It must exceed the providers' HTTP timeout (twilio-go
// takes no context), and the message lease must exceed it.
const DefaultTaskTimeout = 30 * time.Second

// maxRetry is high on purpose: an archived task keeps its id for up to 90 days and would
// block the row's work; a row that keeps failing is retried about once a minute instead.
const maxRetry = 10000

// Payload is what a task carries: the row's key and the step of its work; for a batch, its
// first id and span (and a batch of messages its provider as Stage).
type Payload struct {
	ID    int64  `json:"id"`
	Stage string `json:"stage,omitempty"` // check-in and escalation stage; a message's provider (for logs)
	N     int    `json:"n,omitempty"`     // escalation level, message attempt, a batch's span
}

// TaskID returns the deterministic asynq task id of a piece of work, from its row's key.
func TaskID(it care.DueItem) string {
	switch it.Kind {
	case care.WorkCheckIn:
		return fmt.Sprintf("checkin:%d:%s", it.ID, it.Stage)
	case care.WorkEscalation:
		if it.Stage == care.StageResolved {
			return fmt.Sprintf("esc:%d:resolved", it.ID)
		}
		if it.Stage == care.StageReroute {
			// One look a period: each look that finds nobody moves the row's time on.
			return fmt.Sprintf("esc:%d:reroute@%d", it.ID, it.At.Truncate(care.RerouteEvery).Unix())
		}
		return fmt.Sprintf("esc:%d:%d", it.ID, it.N)
	case care.WorkReminders:
		return batchID("reminders", it)
	case care.WorkMessages:
		return batchID("msgs:"+it.Stage, it)
	case care.WorkUnfinished:
		// Reported once: the report clears the session's mark, so a later task of the same
		// id (the session's next dropped request) finds a new one or nothing.
		return fmt.Sprintf("unfinished:%d", it.ID)
	}
	return ""
}

// batchID names a batch by its first id and the time it was queued for. Work due now is
// queued at the start of its batchPeriod, so every pass and kick within a period finds the
// batch queued already while it waits, yet a task orphaned by a killed worker (its id held
// until asynq recovers it) holds back the batch for one period at most. A retry due later
// takes an id of its own second and never holds back what is due now.
func batchID(prefix string, it care.DueItem) string {
	if it.At.IsZero() {
		return fmt.Sprintf("%s:%d", prefix, it.ID)
	}
	return fmt.Sprintf("%s:%d@%d", prefix, it.ID, it.At.Unix())
}

// batchPeriod is how long a batch due now keeps one task id.
const batchPeriod = 10 * time.Second

// batchNow is when a batch due at now is queued for: the start of now's period.
func batchNow(now time.Time) time.Time { return now.Truncate(batchPeriod) }

// taskType returns the task type and queue of a kind of work.
func taskType(k care.WorkKind) (string, string, error) {
	switch k {
	case care.WorkCheckIn:
		return TypeCheckIn, QueueCritical, nil
	case care.WorkEscalation:
		return TypeEscalation, QueueCritical, nil
	case care.WorkReminders:
		return TypeReminders, QueueDefault, nil
	case care.WorkMessages:
		return TypeMessages, QueueOutbox, nil
	case care.WorkUnfinished:
		return TypeUnfinished, QueueCritical, nil
	}
	return "", "", fmt.Errorf("unknown work kind %q", k)
}

// NewTask returns the asynq task for a piece of work and the options it is enqueued with.
func NewTask(it care.DueItem, timeout time.Duration) (*asynq.Task, []asynq.Option, error) {
	typ, queue, err := taskType(it.Kind)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.Marshal(Payload{ID: it.ID, Stage: it.Stage, N: it.N})
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s payload: %w", typ, err)
	}
	opts := []asynq.Option{
		asynq.TaskID(TaskID(it)), asynq.Queue(queue), asynq.MaxRetry(maxRetry), asynq.Timeout(timeout),
	}
	if !it.At.IsZero() {
		opts = append(opts, asynq.ProcessAt(it.At))
	}
	return asynq.NewTask(typ, b), opts, nil
}

// Enqueuer hands work to the queue. Work already queued under the same task id is not an
// error.
type Enqueuer interface {
	Enqueue(ctx context.Context, it care.DueItem) error
}

// Queue is the asynq Enqueuer.
type Queue struct {
	client  *asynq.Client
	timeout time.Duration
}

// NewQueue returns an Enqueuer on client; timeout bounds each task (DefaultTaskTimeout when 0).
func NewQueue(client *asynq.Client, timeout time.Duration) *Queue {
	if timeout <= 0 {
		timeout = DefaultTaskTimeout
	}
	return &Queue{client: client, timeout: timeout}
}

// Enqueue enqueues it under its deterministic task id, processed at it.At; a task id already
// taken (ErrTaskIDConflict) means the work is queued already and counts as success.
func (q *Queue) Enqueue(ctx context.Context, it care.DueItem) error {
	t, opts, err := NewTask(it, q.timeout)
	if err != nil {
		return err
	}
	if _, err := q.client.EnqueueContext(ctx, t, opts...); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue %s: %w", TaskID(it), err)
	}
	return nil
}

// decode reads a task's payload; a malformed one is never retried.
func decode(t *asynq.Task) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID <= 0 {
		return p, fmt.Errorf("decode %s payload: %w", t.Type(), errors.Join(err, asynq.SkipRetry))
	}
	return p, nil
}

// decoded adapts a handler of one record's work to asynq: it runs h on the task's decoded
// payload, so the check-in, escalation and unfinished-help handlers start from a valid one.
func decoded(h func(context.Context, Payload) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		p, err := decode(t)
		if err != nil {
			return err
		}
		return h(ctx, p)
	}
}
