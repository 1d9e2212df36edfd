package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// ReleaseMessage puts back a claim whose provider was never called, as if never made.
func (s *Store) ReleaseMessage(ctx context.Context, id care.MessageID, attempts int, now time.Time) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE message SET status = 'queued', attempts = attempts - 1, next_attempt_at = $3, updated_at = $3
		WHERE id = $1 AND attempts = $2 AND status = 'sending'`, id, attempts, now)
	return mapError(err, "release message %d", id)
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
