package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// audit writes one audit_log row through q, the transaction of the write it records, so a
// write and its record commit or roll back together. by 0 is the system. detail must hold
// identifiers and enumerated values only, never free text.
func (s *Store) audit(ctx context.Context, q db, by care.ManagerID, action, entity string, id int64, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := q.Exec(ctx, `
		INSERT INTO audit_log (actor_id, action, entity, entity_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		nullID(by), action, entity, nullID(id), detail, s.now())
	if err != nil {
		return mapError(err, "audit %s %s %d", action, entity, id)
	}
	return nil
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
