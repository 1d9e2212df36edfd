package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// RunEscalation locks escalation id with its person, help request, ladder and notices, lets
// fn decide, and records the level, the notices and their messages, those of claim's
// providers written claimed for their first attempt.
func (s *Store) RunEscalation(ctx context.Context, id care.EscalationID, now time.Time, claim care.Claim, fn func(care.EscalationWork) (care.EscalationResult, error)) ([]care.QueuedMessage, error) {
	var queued []care.QueuedMessage
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		w, resolveNotified, err := loadEscalationWork(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := fn(*w)
		if err != nil {
			return err
		}
		e := &w.Escalation
		told := len(res.Notices) > 0
		if res.Level != e.Level || res.Notified != e.Notified || !sameTime(res.NextLevelAt, e.NextLevelAt) ||
			res.ResolveNotified != resolveNotified || res.Unrouted || told {
			// Unrouted keeps the first time nobody could be told (updated_at says when it
			// was last looked at again); anyone told clears it.
			_, err := tx.Exec(ctx, `
				UPDATE escalation SET level = $2, notified = $3, next_level_at = $4, resolve_notified = $5, updated_at = $6,
					unrouted_at = CASE WHEN $7::boolean THEN COALESCE(unrouted_at, $6) WHEN $8::boolean THEN NULL ELSE unrouted_at END
				WHERE id = $1`, id, res.Level, res.Notified, res.NextLevelAt, res.ResolveNotified, now, res.Unrouted, told)
			if err != nil {
				return mapError(err, "record escalation %d", id)
			}
		}
		for _, n := range res.Notices {
			q, err := queueClaimed(ctx, tx, n.Message, now, claim)
			if err != nil {
				return err
			}
			mid := q.ID
			_, err = tx.Exec(ctx, `
				INSERT INTO escalation_notice (escalation_id, level, manager_id, message_id, at)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT DO NOTHING`, id, n.Level, n.ManagerID, mid, now)
			if err != nil {
				return mapError(err, "record notice of escalation %d", id)
			}
			queued = append(queued, q)
		}
		for _, o := range res.Messages {
			q, err := queueClaimed(ctx, tx, o, now, claim)
			if err != nil {
				return err
			}
			queued = append(queued, q)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return queued, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// loadEscalationWork reads escalation id under a row lock with what its worker needs.
func loadEscalationWork(ctx context.Context, tx pgx.Tx, id care.EscalationID) (*care.EscalationWork, bool, error) {
	w := &care.EscalationWork{}
	e := &w.Escalation
	var resolveNotified bool
	err := tx.QueryRow(ctx, `
		SELECT id, reason, urgent, coalesce(person_id, 0), coalesce(case_id, 0), coalesce(commune, ''),
			coalesce(help_request_id, 0), coalesce(checkin_id, 0), coalesce(appointment_id, 0), level, status,
			next_level_at, notified, coalesce(acked_by, 0), acked_at, coalesce(resolved_by, 0), resolved_at,
			outcome, created_at, updated_at, resolve_notified
		FROM escalation WHERE id = $1 FOR UPDATE`, id).Scan(
		&e.ID, &e.Reason, &e.Urgent, &e.PersonID, &e.CaseID, &e.Commune, &e.HelpRequestID, &e.CheckInID,
		&e.AppointmentID, &e.Level, &e.Status, &e.NextLevelAt, &e.Notified, &e.AckedBy, &e.AckedAt,
		&e.ResolvedBy, &e.ResolvedAt, &e.Outcome, &e.CreatedAt, &e.UpdatedAt, &resolveNotified)
	if err != nil {
		return nil, false, mapError(err, "load escalation %d", id)
	}
	if e.PersonID != 0 {
		p := &care.Person{}
		dest, setProfile := workPersonDest(p)
		if err := tx.QueryRow(ctx, `SELECT `+workPersonCols+` FROM person p WHERE p.id = $1`, e.PersonID).Scan(dest...); err != nil {
			return nil, false, mapError(err, "load person of escalation %d", id)
		}
		setProfile()
		w.Person, w.Phone = p, p.Phone
	}
	if e.HelpRequestID != 0 {
		h := &care.HelpRequest{}
		err := tx.QueryRow(ctx, `
			SELECT `+helpColumns+` FROM help_request WHERE id = $1`, e.HelpRequestID).Scan(helpDest(h)...)
		if err != nil {
			return nil, false, mapError(err, "load help request of escalation %d", id)
		}
		w.Help = h
		if w.Phone == "" {
			w.Phone = h.Phone
		}
	}
	// The ladder (ladderSQL): the case's commune wins, then the escalation's, then the
	// person's or the caller's.
	commune := e.Commune
	if commune == "" && w.Person != nil {
		commune = w.Person.Commune
	}
	if commune == "" && w.Help != nil {
		commune = w.Help.Commune
	}
	l, err := loadLadder(ctx, tx, e.CaseID, commune)
	if err != nil {
		return nil, false, fmt.Errorf("escalation %d: %w", id, err)
	}
	w.Ladder, w.Route = l.rungs, l.route
	rows, err := tx.Query(ctx, `
		SELECT escalation_id, level, manager_id, coalesce(message_id, 0), at
		FROM escalation_notice WHERE escalation_id = $1 ORDER BY level, manager_id`, id)
	if err != nil {
		return nil, false, mapError(err, "load notices of escalation %d", id)
	}
	w.Notices, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (care.EscalationNotice, error) {
		var n care.EscalationNotice
		err := r.Scan(&n.EscalationID, &n.Level, &n.ManagerID, &n.MessageID, &n.At)
		return n, err
	})
	if err != nil {
		return nil, false, mapError(err, "load notices of escalation %d", id)
	}
	rows, err = tx.Query(ctx, `
		SELECT id, name, phone, coalesce(commune, ''), role, coalesce(supervisor_id, 0), language, active
		FROM case_manager WHERE id IN (SELECT manager_id FROM escalation_notice WHERE escalation_id = $1)
		ORDER BY id`, id)
	if err != nil {
		return nil, false, mapError(err, "load staff told of escalation %d", id)
	}
	w.Told, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (care.CaseManager, error) {
		var m care.CaseManager
		err := r.Scan(&m.ID, &m.Name, &m.Phone, &m.Commune, &m.Role, &m.SupervisorID, &m.Language, &m.Active)
		return m, err
	})
	if err != nil {
		return nil, false, mapError(err, "load staff told of escalation %d", id)
	}
	w.ResolveNotified = resolveNotified
	return w, resolveNotified, nil
}
