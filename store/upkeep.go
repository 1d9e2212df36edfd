package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

var _ care.LogUpkeep = (*Store)(nil)

// partitionLockTimeout bounds the wait for the message table's lock when a partition is
// made: every turn queues behind a waiting ALTER, so rather than wait the job gives up and
// tries again at its next run (the partition is made a month ahead).
const partitionLockTimeout = "2s"

// EnsureMessagePartitions makes the partitions of now's UTC month and the next
// (message_partition in migration 00020 moves any rows the default partition took).
func (s *Store) EnsureMessagePartitions(ctx context.Context, now time.Time) error {
	u := now.UTC()
	month := time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL lock_timeout = '"+partitionLockTimeout+"'"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT message_partition($1), message_partition($2)`, month, month.AddDate(0, 1, 0))
		return err
	})
	return mapError(err, "make message partitions")
}

// abuseKeptSQL is true for a message (m) that lies in the conversation of an abuse report
// whose words are still kept ($1 is care.ReportWindow).
const abuseKeptSQL = `EXISTS (
	SELECT 1 FROM help_request h
	WHERE h.category = 'abuse' AND h.body_cleared_at IS NULL AND h.phone = m.phone
		AND h.created_at BETWEEN m.created_at - $1::interval AND m.created_at + $1::interval)`

// helpClearSQL clears the descriptions of help requests older than $2: every category but
// abuse at once; an abuse report once its case has been closed since before $2. Its case is
// the person's: open while any case of theirs is; closed at the last one's closing. A caller
// with no case is closed when the request's escalation was resolved.
const helpClearSQL = `
UPDATE help_request h SET description = '', body_cleared_at = $1
WHERE h.body_cleared_at IS NULL AND h.created_at < $2
	AND (h.category <> 'abuse' OR coalesce(
		CASE WHEN EXISTS (SELECT 1 FROM care_case c WHERE c.person_id = h.person_id)
			THEN (SELECT CASE WHEN bool_and(c.step = 'closed') THEN max(c.closed_at) END
				FROM care_case c WHERE c.person_id = h.person_id)
			ELSE (SELECT max(e.resolved_at) FROM escalation e WHERE e.help_request_id = h.id AND e.status = 'resolved')
		END, 'infinity') < $2)
RETURNING h.category = 'abuse', h.phone, h.created_at`

// ClearBodies clears the words older than keep (see care.LogUpkeep), in one transaction:
// help request descriptions; the conversations of abuse reports released just now; then
// the message bodies between where the last run stopped and now-keep, apart from those of
// abuse reports still kept.
func (s *Store) ClearBodies(ctx context.Context, now time.Time, keep time.Duration) (care.Cleared, error) {
	var out care.Cleared
	cutoff := now.Add(-keep)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, helpClearSQL, now, cutoff)
		if err != nil {
			return err
		}
		var (
			phones []string
			ats    []time.Time
		)
		for rows.Next() {
			var (
				abuse bool
				phone string
				at    time.Time
			)
			if err := rows.Scan(&abuse, &phone, &at); err != nil {
				rows.Close()
				return err
			}
			out.HelpRequests++
			if abuse {
				phones, ats = append(phones, phone), append(ats, at)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(phones) > 0 {
			tag, err := tx.Exec(ctx, `
				UPDATE message m SET body = '', reply = NULL
				FROM unnest($2::text[], $3::timestamptz[]) AS r(phone, at)
				WHERE m.phone = r.phone AND m.created_at BETWEEN r.at - $1::interval AND r.at + $1::interval
					AND (m.body <> '' OR m.reply IS NOT NULL) AND NOT `+abuseKeptSQL,
				care.ReportWindow, phones, ats)
			if err != nil {
				return err
			}
			out.Messages += int(tag.RowsAffected())
		}
		// Where the last run stopped; the first run starts at the beginning.
		var from time.Time
		err = tx.QueryRow(ctx, `SELECT coalesce((SELECT cleared_before FROM message_retention), '0001-01-01 00:00:00Z')`).
			Scan(&from)
		if err != nil {
			return err
		}
		if !cutoff.After(from) {
			return nil
		}
		tag, err := tx.Exec(ctx, `
			UPDATE message m SET body = '', reply = NULL
			WHERE m.created_at >= $2 AND m.created_at < $3 AND (m.body <> '' OR m.reply IS NOT NULL)
				AND NOT `+abuseKeptSQL, care.ReportWindow, from, cutoff)
		if err != nil {
			return err
		}
		out.Messages += int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `
			INSERT INTO message_retention (cleared_before) VALUES ($1)
			ON CONFLICT (one) DO UPDATE SET cleared_before = greatest(message_retention.cleared_before, EXCLUDED.cleared_before)`,
			cutoff)
		return err
	})
	if err != nil {
		return care.Cleared{}, mapError(err, "clear message bodies")
	}
	return out, nil
}

// ExpireSessions deletes the dialog sessions idle since before, but not those holding a help
// request begun (the unfinished-help sweep reports it first). It reads the whole table: an
// index on updated_at would cost every turn its HOT update, and this runs hourly.
func (s *Store) ExpireSessions(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM dialog_session WHERE updated_at < $1 AND help_started_at IS NULL`, before)
	if err != nil {
		return 0, mapError(err, "expire dialog sessions")
	}
	return int(tag.RowsAffected()), nil
}
