package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// DueWork lists, in one round trip, the work due before until: pending reminders, the next
// stage of open check-ins, escalations to notify, climb or announce as resolved, and
// outbound messages of the given providers that are queued or whose sending lease expired.
// Each kind is capped at limit, earliest first. A message's stage is its provider.
func (s *Store) DueWork(ctx context.Context, now, until time.Time, providers []care.Provider, limit int) ([]care.DueItem, error) {
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = string(p)
	}
	rows, err := s.pool.Query(ctx, `
		(SELECT 'reminder', id, '', 0, due_at FROM reminder
			WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $3)
		UNION ALL
		(SELECT 'checkin', id, stage, 0, at FROM checkin,
			LATERAL (VALUES ('send', due_at, status = 'pending'),
			                ('retry', retry_at, status = 'sent'),
			                ('deadline', deadline_at, true)) AS v(stage, at, applies)
			WHERE status IN ('pending', 'sent', 'retried') AND due_at <= $1 AND applies AND at <= $1
			ORDER BY at LIMIT $3)
		UNION ALL
		(SELECT 'escalation', id, 'notify', level, $2::timestamptz FROM escalation
			WHERE status = 'open' AND NOT notified ORDER BY created_at LIMIT $3)
		UNION ALL
		(SELECT 'escalation', id, 'notify', level + 1, next_level_at FROM escalation
			WHERE status = 'open' AND notified AND level < 2 AND next_level_at <= $1 ORDER BY next_level_at LIMIT $3)
		UNION ALL
		(SELECT 'escalation', id, 'resolved', 0, $2::timestamptz FROM escalation
			WHERE status = 'resolved' AND NOT resolve_notified ORDER BY resolved_at LIMIT $3)
		UNION ALL
		(SELECT 'message', id, provider, attempts, coalesce(next_attempt_at, $2::timestamptz) FROM message
			WHERE direction = 'out' AND status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
			  AND provider = ANY($4) ORDER BY next_attempt_at NULLS FIRST LIMIT $3)
		UNION ALL
		(SELECT 'message', id, provider, attempts, next_attempt_at FROM message
			WHERE direction = 'out' AND status = 'sending' AND next_attempt_at <= $1
			  AND provider = ANY($4) ORDER BY next_attempt_at LIMIT $3)`,
		until, now, limit, names)
	if err != nil {
		return nil, mapError(err, "find due work")
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (care.DueItem, error) {
		var it care.DueItem
		err := r.Scan(&it.Kind, &it.ID, &it.Stage, &it.N, &it.At)
		return it, err
	})
	if err != nil {
		return nil, mapError(err, "find due work")
	}
	return items, nil
}
