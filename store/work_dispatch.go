package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// DueWork lists, in one round trip, the work due before until: pending reminders, the next
// stage of open check-ins, escalations to notify, climb or announce as resolved, and
// escalations nobody could be told of, to look again for someone every care.RerouteEvery, and
// outbound messages of the given providers that are queued or whose sending lease expired.
// Reminders and messages come as batches of care.BatchSpan consecutive ids, one item per
// batch holding due rows, at its earliest row: a backlog of 100,000 is a few hundred items.
// Each kind is capped at limit (batches for reminders and messages), earliest first. A batch
// of messages has its provider as stage.
func (s *Store) DueWork(ctx context.Context, now, until time.Time, providers []care.Provider, limit int) ([]care.DueItem, error) {
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = string(p)
	}
	rows, err := s.pool.Query(ctx, `
		(SELECT 'reminders', id - id % $5, '', $5::int, min(due_at) FROM reminder
			WHERE status = 'pending' AND due_at <= $1 GROUP BY id - id % $5 ORDER BY 5 LIMIT $3)
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
		(SELECT 'escalation', id, 'reroute', 0, $2::timestamptz FROM escalation
			WHERE status = 'open' AND unrouted_at IS NOT NULL AND updated_at <= $2::timestamptz - $6::bigint * interval '1 second'
			ORDER BY updated_at LIMIT $3)
		UNION ALL
		(SELECT 'escalation', id, 'resolved', 0, $2::timestamptz FROM escalation
			WHERE status = 'resolved' AND NOT resolve_notified ORDER BY resolved_at LIMIT $3)
		UNION ALL
		(SELECT 'messages', id - id % $5, provider, $5::int, min(at) FROM (
			SELECT id, provider, coalesce(next_attempt_at, $2::timestamptz) AS at FROM message
				WHERE direction = 'out' AND status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
				  AND provider = ANY($4)
			UNION ALL
			SELECT id, provider, next_attempt_at FROM message
				WHERE direction = 'out' AND status = 'sending' AND next_attempt_at <= $1
				  AND provider = ANY($4)) due
			GROUP BY id - id % $5, provider ORDER BY 5 LIMIT $3)`,
		until, now, limit, names, care.BatchSpan, int64(care.RerouteEvery/time.Second))
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
