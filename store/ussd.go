package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// RecordUSSDEnd records how USSD session e.SessionID ended, with where its dialog stood (the
// dialog session of that id, if Caseline saw the session), which it sets in e.Flow and
// e.State, and the store's time in e.EndedAt. A session recorded already is left as it was.
// One statement.
func (s *Store) RecordUSSDEnd(ctx context.Context, e *care.USSDSessionEnd) error {
	if !e.Status.Valid() {
		return mapError(care.FieldError("status", "unknown USSD session status %q", e.Status), "record ussd session end")
	}
	now := s.now()
	err := s.pool.QueryRow(ctx, `
		INSERT INTO ussd_session_end (session_id, phone, status, hops, duration_ms, error_message, network_code,
			cost, flow, state, ended_at)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, coalesce(d.flow, ''), coalesce(d.state, ''), $9
		FROM (SELECT 1) one LEFT JOIN dialog_session d ON d.channel = 'ussd' AND d.key = $1
		ON CONFLICT (session_id) DO NOTHING
		RETURNING flow, state`,
		e.SessionID, e.Phone.E164(), string(e.Status), e.Hops, e.Duration.Milliseconds(), e.ErrorMessage,
		e.NetworkCode, e.Cost, now).Scan(&e.Flow, &e.State)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // recorded before: the aggregator notified twice
	}
	if err != nil {
		return mapError(err, "record ussd session end")
	}
	e.EndedAt = now
	return nil
}
