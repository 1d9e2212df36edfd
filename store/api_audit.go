package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

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
