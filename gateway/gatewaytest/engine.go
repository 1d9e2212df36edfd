package gatewaytest

import (
	"context"
	"sync"

	"github.com/caseline/caseline/flows"
)

// Engine stands in for the dialog engine: it records every Input and answers with Reply and
// Err, or with Answer when that is set. Set the answer before requests arrive.
type Engine struct {
	// Reply and Err answer every turn when Answer is nil.
	Reply flows.Reply
	Err   error
	// Answer, when set, answers instead. It runs under the engine's lock, so it may keep
	// state of its own (a door's deduplication, say) without locking.
	Answer func(context.Context, flows.Input) (flows.Reply, error)

	mu     sync.Mutex
	inputs []flows.Input
}

// Handle records in and answers it.
func (e *Engine) Handle(ctx context.Context, in flows.Input) (flows.Reply, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.inputs = append(e.inputs, in)
	if e.Answer != nil {
		return e.Answer(ctx, in)
	}
	return e.Reply, e.Err
}

// Inputs returns a copy of every Input handled so far, in order.
func (e *Engine) Inputs() []flows.Input {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]flows.Input(nil), e.inputs...)
}
