package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// ClaimMessage marks outbound message id 'sending' for one more attempt, leased until
// now+lease, when it is due: queued and due, or left 'sending' by a worker whose lease
// expired. attempt must equal the attempts made so far, so a repeated task for an attempt
// already made does nothing. A message for a person who opted out or cannot be reached is
// marked skipped instead. One statement, one round trip: a concurrent claim waits for the
// row and then finds its conditions no longer hold.
func (s *Store) ClaimMessage(ctx context.Context, id care.MessageID, attempt int, providers []care.Provider, now time.Time, lease time.Duration) (*care.Message, care.ClaimOutcome, error) {
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = string(p)
	}
	m := &care.Message{}
	err := s.pool.QueryRow(ctx, `
		UPDATE message m SET
			status = CASE WHEN ps.status = 'active' THEN 'sending' ELSE 'skipped' END,
			attempts = CASE WHEN ps.status = 'active' THEN m.attempts + 1 ELSE m.attempts END,
			next_attempt_at = CASE WHEN ps.status = 'active' THEN $5::timestamptz END,
			error_code = CASE WHEN ps.status = 'active' THEN m.error_code ELSE 'person_' || ps.status END,
			updated_at = $4
		FROM (SELECT coalesce((SELECT `+claimStatus+` FROM message m LEFT JOIN person p ON p.id = m.person_id
			WHERE m.id = $1), 'active') AS status) ps
		WHERE m.id = $1 AND m.direction = 'out' AND m.attempts = $2 AND m.provider = ANY($3)
		  AND ((m.status = 'queued' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= $4))
		    OR (m.status = 'sending' AND m.next_attempt_at <= $4))
		RETURNING m.id, m.direction, m.channel, m.provider, coalesce(m.provider_id, ''), m.phone, coalesce(m.person_id, 0),
			m.body, m.status, coalesce(m.idempotency_key, ''), m.attempts, m.next_attempt_at, m.error_code,
			m.created_at, m.updated_at`,
		id, attempt, names, now, now.Add(lease)).Scan(
		&m.ID, &m.Direction, &m.Channel, &m.Provider, &m.ProviderID, &m.Phone, &m.PersonID,
		&m.Body, &m.Status, &m.IdempotencyKey, &m.Attempts, &m.NextAttemptAt, &m.ErrorCode,
		&m.CreatedAt, &m.UpdatedAt)
	if err == pgx.ErrNoRows {
		return nil, care.ClaimStale, nil // gone, not due, or another attempt has it
	}
	if err != nil {
		return nil, care.ClaimStale, mapError(err, "claim message %d", id)
	}
	if m.Status == care.MsgSkipped {
		return m, care.ClaimSkipped, nil
	}
	return m, care.ClaimOK, nil
}

// claimStatus is the person status a claim of message m (joined to its person p) goes by:
// 'active' sends, anything else skips. A reply (its key "reply:…") answers a message the
// person sent, in a conversation they started, so it goes even to someone who opted out.
const claimStatus = `CASE WHEN m.idempotency_key LIKE 'reply:%' THEN 'active' ELSE coalesce(p.status, 'active') END`

// ReleaseMessage puts back a claim whose provider was never called, as if never made.
func (s *Store) ReleaseMessage(ctx context.Context, id care.MessageID, attempts int, now time.Time) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE message SET status = 'queued', attempts = attempts - 1, next_attempt_at = $3, updated_at = $3
		WHERE id = $1 AND attempts = $2 AND status = 'sending'`, id, attempts, now)
	return mapError(err, "release message %d", id)
}

// RecordSent records the provider's id for the attempt that claimed the message; a message
// another attempt took over since is left alone.
func (s *Store) RecordSent(ctx context.Context, id care.MessageID, attempts int, providerID string, now time.Time) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE message SET status = 'sent', provider_id = $3, error_code = '', next_attempt_at = NULL, updated_at = $4
		WHERE id = $1 AND attempts = $2 AND status = 'sending'`, id, attempts, providerID, now)
	return mapError(err, "record message %d sent", id)
}

// RecordRetry puts the message back in the queue, due at at, with the provider's error code.
func (s *Store) RecordRetry(ctx context.Context, id care.MessageID, attempts int, code string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE message SET status = 'queued', error_code = $3, next_attempt_at = $4, updated_at = $4
		WHERE id = $1 AND attempts = $2 AND status = 'sending'`, id, attempts, code, at)
	return mapError(err, "record message %d for retry", id)
}

// RecordFailure marks the message failed and, in the same transaction, sets its person's
// status and opens escalate for the person's open case.
func (s *Store) RecordFailure(ctx context.Context, id care.MessageID, attempts int, code string, person care.PersonStatus, escalate *care.Escalation, now time.Time) (care.EscalationID, error) {
	var eid care.EscalationID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			pid   care.PersonID
			phone care.Phone
		)
		err := tx.QueryRow(ctx, `
			UPDATE message SET status = 'failed', error_code = $3, next_attempt_at = NULL, updated_at = $4
			WHERE id = $1 AND attempts = $2 AND status = 'sending'
			RETURNING coalesce(person_id, 0), phone`, id, attempts, code, now).Scan(&pid, &phone)
		if err == pgx.ErrNoRows {
			return nil // another attempt took it over
		}
		if err != nil {
			return mapError(err, "record message %d failed", id)
		}
		if pid == 0 {
			return nil
		}
		if person != "" {
			// A caregiver's number failing says nothing about the person's own.
			_, err := tx.Exec(ctx, `UPDATE person SET status = $2, updated_at = $3 WHERE id = $1 AND phone = $4 AND status = 'active'`,
				pid, person, now, phone)
			if err != nil {
				return mapError(err, "mark person %d %s", pid, person)
			}
		}
		if escalate == nil {
			return nil
		}
		eid, err = openPersonEscalation(ctx, tx, *escalate, pid, now)
		return err
	})
	return eid, err
}

// openPersonEscalation opens e about person pid, for their open case and in their commune;
// 0 when a unique index says it is open already (see openEscalation).
func openPersonEscalation(ctx context.Context, q db, e care.Escalation, pid care.PersonID, now time.Time) (care.EscalationID, error) {
	e.PersonID = pid
	err := q.QueryRow(ctx, `
		SELECT p.commune, coalesce(k.id, 0)
		FROM person p LEFT JOIN care_case k ON k.person_id = p.id AND k.step <> 'closed'
		WHERE p.id = $1`, pid).Scan(&e.Commune, &e.CaseID)
	if err != nil {
		return 0, mapError(err, "find case of person %d", pid)
	}
	return openEscalation(ctx, q, &e, now)
}
