package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// auditInsert writes one audit_log row: actor (NULL for the system), action, entity,
// entity id (NULL for none), detail, time.
const auditInsert = `
	INSERT INTO audit_log (actor_id, action, entity, entity_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6)`

// audit writes one audit_log row through q, the transaction of the write it records, so a
// write and its record commit or roll back together. by 0 is the system. detail must hold
// identifiers and enumerated values only, never free text.
func (s *Store) audit(ctx context.Context, q db, by care.ManagerID, action, entity string, id int64, detail map[string]any) error {
	_, err := q.Exec(ctx, auditInsert, auditArgs(by, action, entity, id, detail, s.now())...)
	if err != nil {
		return mapError(err, "audit %s %s %d", action, entity, id)
	}
	return nil
}

// queueAudit is audit for a write that sends its statements as one batch: it queues the
// row, stamped at, on b, which must be sent in the write's transaction.
func queueAudit(b *pgx.Batch, by care.ManagerID, action, entity string, id int64, detail map[string]any, at time.Time) {
	b.Queue(auditInsert, auditArgs(by, action, entity, id, detail, at)...)
}

func auditArgs(by care.ManagerID, action, entity string, id int64, detail map[string]any, at time.Time) []any {
	if detail == nil {
		detail = map[string]any{}
	}
	return []any{nullID(by), action, entity, nullID(id), detail, at}
}

// AuditLog returns the audit entries of one record (entity as the API names it, e.g.
// "person"), oldest first.
func (s *Store) AuditLog(ctx context.Context, entity string, id int64) ([]care.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, COALESCE(actor_id, 0), action, entity, COALESCE(entity_id, 0), detail, at
		FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY at, id`, entity, id)
	if err != nil {
		return nil, mapError(err, "load audit log of %s %d", entity, id)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.AuditEntry, error) {
		var a care.AuditEntry
		err := row.Scan(&a.ID, &a.ActorID, &a.Action, &a.Entity, &a.EntityID, &a.Detail, &a.At)
		a.At = a.At.UTC()
		return a, err
	})
	if err != nil {
		return nil, mapError(err, "load audit log of %s %d", entity, id)
	}
	return out, nil
}
