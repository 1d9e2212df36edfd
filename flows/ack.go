package flows

import (
	"context"
	"strconv"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Case-manager acknowledgement: "XN 4821" or "ACK 4821" from a staff member's phone stops
// escalation 4821's ladder, if it is in their commune or they were told of it.
const (
	stAcked    = "acked"
	stRefused  = "refused"
	stGone     = "gone"
	stNotStaff = "not_staff"

	evAck      = "ack"
	evRefuse   = "refuse"
	evGone     = "gone"
	evNotStaff = "not_staff"

	varEscalation = "escalation"
	varAckResult  = "ack_result"
)

func ackFlow() *flowSpec {
	return &flowSpec{
		name: flowAck,
		events: fsm.Events{
			{Name: evAck, Src: []string{stateStart}, Dst: stAcked},
			{Name: evRefuse, Src: []string{stateStart}, Dst: stRefused},
			{Name: evGone, Src: []string{stateStart}, Dst: stGone},
			{Name: evNotStaff, Src: []string{stateStart}, Dst: stNotStaff},
		},
		entry: func(s *step) string {
			if ev := s.vars[varAckResult]; ev != "" {
				return ev
			}
			return evNotStaff
		},
		states: map[string]stateSpec{
			stAcked: {prompt: ackPrompt(keyAckDone), end: true, act: func(_ context.Context, s *step) error {
				id, _ := strconv.ParseInt(s.vars[varEscalation], 10, 64)
				s.writes.Ack = &dialog.Acknowledgement{ID: care.EscalationID(id), By: s.f.Manager.ID}
				return nil
			}},
			stRefused:  {prompt: ackPrompt(keyAckRefused), end: true},
			stGone:     {prompt: ackPrompt(keyAckGone), end: true},
			stNotStaff: {prompt: ackPrompt(keyAckNotStaff), end: true},
		},
	}
}

func ackPrompt(key string) func(*step) Prompt {
	return func(s *step) Prompt { return Prompt{Text: s.t(key, "ref", s.vars[varEscalation])} }
}

// checkAck decides, before the ack flow's event, what a staff member's XN may do: a read
// under the escalation's row lock, so two acknowledgements queue.
func (s *step) checkAck(ctx context.Context) error {
	m := s.f.Manager
	if m == nil {
		s.vars[varAckResult] = evNotStaff
		return nil
	}
	if m.Language.Valid() {
		s.lang = m.Language
	}
	id, err := strconv.ParseInt(s.vars[varEscalation], 10, 64)
	if err != nil {
		s.vars[varAckResult] = evGone
		return nil
	}
	c, err := s.turn.Escalation(ctx, care.EscalationID(id), m.ID, m.Commune)
	if err != nil {
		return err
	}
	switch {
	case !c.Found || c.Status != care.EscalationOpen:
		s.vars[varAckResult] = evGone
	case !c.Allowed:
		s.vars[varAckResult] = evRefuse
	default:
		s.vars[varAckResult] = evAck
	}
	return nil
}
