package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
)

// recordFailed records a refused send of claimed message m: back in the queue after a
// growing delay when the refusal is retryable and attempts remain, failed otherwise, with
// the person marked unreachable or opted out and the case manager told.
func (w *worker) recordFailed(ctx context.Context, m *care.Message, sendErr error, now time.Time) error {
	log := zerolog.Ctx(ctx)
	id := m.ID
	var pe *care.ProviderError
	permanent := errors.As(sendErr, &pe) && !pe.Retryable()
	l := log.With().Int64("message", int64(id)).Int("attempt", m.Attempts).Str("phone", m.Phone.String()).Err(sendErr).Logger()
	if !permanent && m.Attempts < w.MaxAttempts {
		at := now.Add(w.Backoff(m.Attempts))
		l.Warn().Time("next", at).Msg("send failed, will retry")
		if err := w.Store.RecordRetry(ctx, id, m.Attempts, errorCode(sendErr), at); err != nil {
			return fmt.Errorf("message %d: %w", id, err)
		}
		w.kick(ctx, care.DueItem{Kind: care.WorkMessages, ID: care.BatchOf(int64(id)), Stage: string(m.Provider), N: care.BatchSpan, At: at})
		return nil
	}
	var status care.PersonStatus
	if pe != nil && pe.Unreachable() {
		status = care.PersonUnreachable
	}
	if pe != nil && pe.Unsubscribed() {
		status = care.PersonOptedOut
	}
	l.Warn().Str("person_status", string(status)).Msg("send failed for good")
	next := now.Add(w.SLA.For(false))
	eid, err := w.Store.RecordFailure(ctx, id, m.Attempts, errorCode(sendErr), status,
		&care.Escalation{Reason: care.ReasonUnreachable, NextLevelAt: &next}, now)
	if err != nil {
		return fmt.Errorf("message %d: %w", id, err)
	}
	if eid != 0 {
		w.kick(ctx, care.DueItem{Kind: care.WorkEscalation, ID: int64(eid), Stage: care.StageNotify, N: 0, At: now})
	}
	return nil
}

// recordTimeout bounds recording a provider's answer after the task's own deadline.
const recordTimeout = 10 * time.Second

// send hands a claimed message to its provider: an SMS, or a call whose TwiML the gateway
// renders from what the message is about.
func (w *worker) send(ctx context.Context, m *care.Message) (string, error) {
	s := w.Senders[m.Provider]
	if s == nil {
		return "", fmt.Errorf("no sender for provider %s", m.Provider)
	}
	if m.Channel == care.ChannelVoice {
		return s.Call(ctx, m.Phone, w.answerURL(m.Body))
	}
	return s.SendSMS(ctx, m.Phone, m.Body)
}

// errorCode is what the message row records of a failure: the provider's code, its HTTP
// status, or "network".
func errorCode(err error) string {
	var pe *care.ProviderError
	if errors.As(err, &pe) {
		if pe.Code != "" {
			return pe.Code
		}
		if pe.Status != 0 {
			return fmt.Sprintf("http_%d", pe.Status)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "network"
}
