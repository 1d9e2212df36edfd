package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// escalationColumns is what scanEscalation reads, in its order; absent references are 0.
const escalationColumns = `id, reason, urgent, COALESCE(person_id, 0), COALESCE(case_id, 0), COALESCE(commune, ''),
	COALESCE(help_request_id, 0), COALESCE(checkin_id, 0), COALESCE(appointment_id, 0), level, status,
	next_level_at, notified, COALESCE(acked_by, 0), acked_at, COALESCE(resolved_by, 0), resolved_at,
	outcome, created_at, updated_at`

func scanEscalation(row pgx.Row) (*care.Escalation, error) {
	var e care.Escalation
	var level int16
	err := row.Scan(&e.ID, &e.Reason, &e.Urgent, &e.PersonID, &e.CaseID, &e.Commune, &e.HelpRequestID,
		&e.CheckInID, &e.AppointmentID, &level, &e.Status, &e.NextLevelAt, &e.Notified, &e.AckedBy,
		&e.AckedAt, &e.ResolvedBy, &e.ResolvedAt, &e.Outcome, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return nil, err
	}
	e.Level = care.EscalationLevel(level)
	e.NextLevelAt, e.AckedAt, e.ResolvedAt = utc(e.NextLevelAt), utc(e.AckedAt), utc(e.ResolvedAt)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return &e, nil
}

// Escalation returns the escalation with id.
func (s *Store) Escalation(ctx context.Context, id care.EscalationID) (*care.Escalation, error) {
	e, err := scanEscalation(s.pool.QueryRow(ctx, `SELECT `+escalationColumns+` FROM escalation WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load escalation %d", id)
	}
	return e, nil
}

// ackSQL acknowledges open escalation $1 for staff member $2 at $3 ($4 stamps the rows) and
// writes its audit entry in the same statement: the one acknowledgement, whatever the door
// (the API, an SMS "XN" reply, the console). No row comes back when it was not open.
const ackSQL = `
	WITH acked AS (
		UPDATE escalation SET status = 'acknowledged', acked_by = $2, acked_at = $3, next_level_at = NULL, updated_at = $4
		WHERE id = $1 AND status = 'open'
		RETURNING *),
	audited AS (` + auditInsert + `
		SELECT $2, '` + care.AuditEscalationAck + `', 'escalation', id, jsonb_build_object('level', level), $4 FROM acked)
	SELECT ` + escalationColumns + ` FROM acked`

// acknowledgement is an escalation's acknowledgement by a staff member: it stops climbing,
// and the audit log says who stopped it. Every writer queues it on its own batch.
type acknowledgement struct {
	id  care.EscalationID
	by  care.ManagerID
	at  time.Time // when it was acknowledged
	now time.Time // when it is written
}

// queue queues a on b; scan, when set, reads the escalation acknowledged (pgx.ErrNoRows
// when it was not open).
func (a acknowledgement) queue(b *pgx.Batch, scan func(pgx.Row) error) {
	q := b.Queue(ackSQL, int64(a.id), int64(a.by), a.at, a.now)
	if scan != nil {
		q.QueryRow(scan)
	}
}

// AcknowledgeEscalationAs stops the ladder of an open escalation: it becomes acknowledged by
// by at at (a zero at is now), never climbs again, and the audit log records it.
// Acknowledging one that is not open is ECONFLICT, one that does not exist ENOTFOUND.
func (s *Store) AcknowledgeEscalationAs(ctx context.Context, by care.ManagerID, id care.EscalationID, at time.Time) (*care.Escalation, error) {
	var e *care.Escalation
	b := &pgx.Batch{}
	acknowledgement{id: id, by: by, at: s.orNow(at), now: s.now()}.queue(b, func(row pgx.Row) error {
		var err error
		e, err = scanEscalation(row)
		return err
	})
	err := s.pool.SendBatch(ctx, b).Close()
	if err != nil {
		err = s.whyNot(ctx, s.pool, err, `SELECT EXISTS (SELECT 1 FROM escalation WHERE id = $1)`, int64(id),
			"the escalation was already acknowledged or resolved")
		return nil, mapError(err, "acknowledge escalation %d", id)
	}
	return e, nil
}

// UnroutedHelpRequests counts the open escalations of help requests that nobody at all could
// be told of (marked by the escalation worker): the metric caseline_help_requests_unrouted,
// read from PostgreSQL so any process serving /metrics reports the workers' findings.
func (s *Store) UnroutedHelpRequests(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `
		SELECT count(*) FROM escalation
		WHERE unrouted_at IS NOT NULL AND status = 'open' AND help_request_id IS NOT NULL`).Scan(&n)
	if err != nil {
		return 0, mapError(err, "count unrouted help requests")
	}
	return n, nil
}
