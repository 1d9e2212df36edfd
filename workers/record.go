package workers

import (
	"context"
	"time"

	"github.com/caseline/caseline/care"
)

// Provider acceptances are recorded as they happen, not once a batch is done: a worker killed
// in the middle of a batch then repeats only the sends that were with the provider or whose
// answer was still waiting for its write (a few milliseconds' worth), never the whole batch.
// Writes are batched by time so that a busy fan-out still costs a statement per few dozen
// messages, not one per message.
const (
	// recordEvery is the longest an accepted send waits for its write.
	recordEvery = 5 * time.Millisecond
	// recordBatch writes at once when that many acceptances wait.
	recordBatch = 64
)

// recorder writes the acceptances of one batch of sends. Its goroutine is owned by the
// sendAll that starts it, which waits for it in wait.
type recorder struct {
	in   chan care.Sent
	done chan error
}

// startRecorder starts a recorder; ctx carries the task's logger, not its deadline: what the
// providers said is recorded even when the task's deadline passed during the calls, since a
// lost record is a repeated message.
func (w *worker) startRecorder(ctx context.Context) *recorder {
	r := &recorder{in: make(chan care.Sent, sendConcurrency), done: make(chan error, 1)}
	ctx = context.WithoutCancel(ctx)
	go func() { r.done <- w.record(ctx, r.in) }()
	return r
}

// add hands one acceptance to the recorder.
func (r *recorder) add(s care.Sent) { r.in <- s }

// wait writes what is left and returns the first failed write, if any: the lease brings
// those messages back, so at most they repeat.
func (r *recorder) wait() error {
	close(r.in)
	return <-r.done
}

// record writes acceptances from in, recordBatch at a time or recordEvery after the oldest
// unwritten one arrived, until in closes. The timer is the wall clock's: it bounds how long a
// write waits, which is about the machine, not about the care.Clock's domain time.
func (w *worker) record(ctx context.Context, in <-chan care.Sent) error {
	var (
		pending []care.Sent
		first   error
		timer   *time.Timer
		due     <-chan time.Time
	)
	flush := func() {
		if timer != nil {
			timer.Stop()
			timer, due = nil, nil
		}
		if len(pending) == 0 {
			return
		}
		rctx, cancel := context.WithTimeout(ctx, recordTimeout)
		err := w.Store.RecordSentAll(rctx, pending, w.Clock.Now())
		cancel()
		if err != nil && first == nil {
			first = err
		}
		pending = pending[:0]
	}
	for {
		select {
		case s, ok := <-in:
			if !ok {
				flush()
				return first
			}
			pending = append(pending, s)
			switch {
			case len(pending) >= recordBatch:
				flush()
			case timer == nil:
				timer = time.NewTimer(recordEvery)
				due = timer.C
			}
		case <-due:
			timer, due = nil, nil
			flush()
		}
	}
}
