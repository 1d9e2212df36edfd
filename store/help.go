package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// HelpRequest returns the help request with id.
func (s *Store) HelpRequest(ctx context.Context, id care.HelpRequestID) (*care.HelpRequest, error) {
	h, err := scanHelp(s.pool.QueryRow(ctx, `SELECT `+helpColumns+` FROM help_request WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load help request %d", id)
	}
	return h, nil
}

// helpInsert heads every write of a help request, the values following: (person_id, phone,
// commune, category, description, in_danger, channel, status, unfinished, created_at,
// origin). fileHelpSQL's and InsertHelpRequest's.
const helpInsert = `
  INSERT INTO help_request (person_id, phone, commune, category, description, in_danger, channel, status, unfinished,
                            created_at, origin) `

// fileHelpSQL stores a help request and opens its escalation, or attaches it to the open
// need_help escalation of the check-in $11 it answers, in one statement. A request with an
// origin ($14, what it came from: a spooled call, say) is filed once: a second one with the
// same origin writes nothing and returns no row.
var fileHelpSQL = `
WITH h AS (` + helpInsert + `
  VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $13, $8, $14)
  ON CONFLICT (origin) WHERE origin IS NOT NULL DO NOTHING
  RETURNING id),
u AS (
  UPDATE escalation e SET help_request_id = h.id, urgent = e.urgent OR $9::boolean,
         next_level_at = CASE WHEN $9::boolean AND NOT e.urgent THEN LEAST(e.next_level_at, $10) ELSE e.next_level_at END,
         updated_at = $8
  FROM h
  WHERE $11::bigint > 0 AND e.checkin_id = $11 AND e.reason = 'need_help' AND e.status = 'open'
    AND e.help_request_id IS NULL
  RETURNING e.id, e.urgent),
n AS (` + openEscalationsFrom(`
  SELECT 'help_request', $9::boolean, $1::bigint, $12::bigint, $3::text, h.id, NULL::bigint, NULL::bigint,
         $10::timestamptz, $8::timestamptz
  FROM h WHERE NOT EXISTS (SELECT 1 FROM u)`) + `
  RETURNING id, urgent)
SELECT h.id, COALESCE((SELECT id FROM u LIMIT 1), (SELECT id FROM n)),
       COALESCE((SELECT urgent FROM u LIMIT 1), (SELECT urgent FROM n), false)
FROM h`

// batcher sends a pipelined batch: a pooled connection or a transaction.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// fileHelp runs fileHelpSQL and reads the escalation's ladder (ladderSQL) in one round trip,
// in the caller's transaction, so the route it returns is the one the escalation worker will
// find: the caller is told who will get in touch in the same transaction as the filing.
// filed is false when f's origin was filed already (nothing is written then).
func fileHelp(ctx context.Context, q batcher, f dialog.HelpFiling) (out dialog.HelpFiled, filed bool, err error) {
	var (
		hID, eID *int64
		l        ladder
	)
	b := &pgx.Batch{}
	b.Queue(fileHelpSQL, nullID(f.PersonID), f.Phone, nullText(f.Commune), f.Category, f.Description, f.InDanger,
		f.Channel, f.Now, f.Priority.Urgent(f.Category, f.InDanger), f.NextLevelAt, int64(f.CheckIn), nullID(f.CaseID),
		f.Unfinished, nullText(f.Origin)).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&hID, &eID, &out.Urgent)
		if f.Origin != "" && errors.Is(err, pgx.ErrNoRows) {
			return nil // filed already
		}
		return err
	})
	b.Queue(ladderSQL, ladderArgs(f.CaseID, f.Commune)...).Query(func(rows pgx.Rows) error {
		var err error
		l, err = scanLadder(rows)
		return err
	})
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return dialog.HelpFiled{}, false, mapError(err, "request help")
	}
	if hID == nil {
		return dialog.HelpFiled{}, false, nil
	}
	out.HelpRequestID = care.HelpRequestID(*hID)
	if eID != nil {
		out.EscalationID = care.EscalationID(*eID)
	}
	out.Route = l.route
	return out, true, nil
}

// FileHelp files r outside a dialog turn, as a turn's RequestHelp does, once per r.Origin
// (required): a second call with the same origin writes nothing and returns false. A
// request without a person is filed for the person registered with r.Phone, if any, with
// their open case and commune. With r.Session, see dialog.HelpFiling.Session.
func (s *Store) FileHelp(ctx context.Context, r dialog.HelpFiling) (bool, error) {
	if r.Origin == "" {
		return false, mapError(care.FieldError("origin", "is required"), "file help")
	}
	if r.PersonID == 0 {
		var (
			pid, cid *int64
			commune  *string
		)
		err := s.pool.QueryRow(ctx, `
			SELECT p.id, p.commune, c.id FROM person p
			LEFT JOIN care_case c ON c.person_id = p.id AND c.step <> 'closed'
			WHERE p.phone = $1`, r.Phone).Scan(&pid, &commune, &cid)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return false, mapError(err, "file help: find person")
		}
		if pid != nil {
			r.PersonID, r.Commune = care.PersonID(*pid), care.CommuneCode(*commune)
		}
		if cid != nil {
			r.CaseID = care.CaseID(*cid)
		}
	}
	if r.Session == 0 {
		_, filed, err := fileHelp(ctx, s.pool, r)
		return filed, err
	}
	var filed bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The session's mark and the filing go together: one escalation per attempt, whether
		// the workers' unfinished report or this filing comes first.
		var marked bool
		err := tx.QueryRow(ctx, clearHelpMarkSQL, r.Session).Scan(&marked)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // reported already as unfinished
		}
		if err != nil {
			return mapError(err, "file help: clear dialog session %d", r.Session)
		}
		_, filed, err = fileHelp(ctx, tx, r)
		return err
	})
	return filed, err
}
