package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// The figures /metrics reads from PostgreSQL at each scrape (under the gateway's short
// timeout), so every process, serve or work, reports the same. Each query reads a small,
// indexed set: open escalations (escalation_due, a partial index on the open ones), the
// outbox (message_outbound_due and message_sending_lease, partial indexes on the queued and
// sending rows), one row of dispatch_pass, and the last hour of the message log (its
// partition's BRIN index on created_at).

// Sample is one labelled value of a metric.
type Sample struct {
	Labels []string
	Value  float64
}

// OpenEscalations counts the open (unacknowledged) escalations by level and urgency
// ("urgent" or "normal").
func (s *Store) OpenEscalations(ctx context.Context) ([]Sample, error) {
	return s.samples(ctx, "count open escalations", `
		SELECT level::text, CASE WHEN urgent THEN 'urgent' ELSE 'normal' END, count(*)::float8
		FROM escalation WHERE status = 'open' GROUP BY 1, 2`)
}

// OverdueEscalations counts the open escalations whose current rung's deadline has passed,
// by level: at the top rung nobody acknowledged in time; below it, the climb is late.
func (s *Store) OverdueEscalations(ctx context.Context) ([]Sample, error) {
	return s.samples(ctx, "count overdue escalations", `
		SELECT level::text, count(*)::float8 FROM escalation
		WHERE status = 'open' AND next_level_at < $1 GROUP BY 1`, s.now())
}

// Outbox returns the outbound messages waiting (queued or being sent) and how long the one
// waiting longest has been due, in seconds (0 when none is due).
func (s *Store) Outbox(ctx context.Context) (pending int64, oldest float64, err error) {
	now := s.now()
	// One branch per status, so each matches its partial index's predicate exactly.
	err = s.pool.QueryRow(ctx, `
		SELECT count(*), coalesce(extract(epoch FROM $1 - min(due) FILTER (WHERE due <= $1)), 0)::float8
		FROM (
			SELECT coalesce(next_attempt_at, created_at) AS due FROM message WHERE direction = 'out' AND status = 'queued'
			UNION ALL
			SELECT coalesce(next_attempt_at, created_at) FROM message WHERE direction = 'out' AND status = 'sending') w`,
		now).Scan(&pending, &oldest)
	if err != nil {
		return 0, 0, mapError(err, "read the outbox")
	}
	return pending, oldest, nil
}

// RecordDispatchPass records the dispatcher's last pass.
func (s *Store) RecordDispatchPass(ctx context.Context, at time.Time, took time.Duration) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO dispatch_pass (at, took_ms) VALUES ($1, $2)
		ON CONFLICT (one) DO UPDATE SET at = EXCLUDED.at, took_ms = EXCLUDED.took_ms
		WHERE dispatch_pass.at <= EXCLUDED.at`, at, float64(took)/float64(time.Millisecond))
	return mapError(err, "record dispatch pass")
}

// DispatchPass returns how long ago the dispatcher's last pass ended and how long it took,
// in seconds; ok is false when none has run.
func (s *Store) DispatchPass(ctx context.Context) (ago, took float64, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT extract(epoch FROM $1 - at)::float8, took_ms / 1000 FROM dispatch_pass`, s.now()).
		Scan(&ago, &took)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, mapError(err, "read dispatch pass")
	}
	return ago, took, true, nil
}

// RecentMessages counts the messages logged in the last hour by direction, channel,
// provider and status (the status they have now).
func (s *Store) RecentMessages(ctx context.Context) ([]Sample, error) {
	return s.samples(ctx, "count recent messages", `
		SELECT direction, channel, provider, status, count(*)::float8 FROM message
		WHERE created_at >= $1 GROUP BY 1, 2, 3, 4`, s.now().Add(-time.Hour))
}

// samples runs q, whose rows are label values then one float8, naming op in its errors.
func (s *Store) samples(ctx context.Context, op, q string, args ...any) ([]Sample, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, mapError(err, "%s", op)
	}
	defer rows.Close()
	var out []Sample
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, mapError(err, "%s", op)
		}
		sm := Sample{Labels: make([]string, 0, len(vals)-1)}
		for _, v := range vals[:len(vals)-1] {
			str, _ := v.(string)
			sm.Labels = append(sm.Labels, str)
		}
		sm.Value, _ = vals[len(vals)-1].(float64) // every query casts its value to float8
		out = append(out, sm)
	}
	return out, mapError(rows.Err(), "%s", op)
}
