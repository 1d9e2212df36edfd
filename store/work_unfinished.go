package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// DueUnfinished lists the sessions marked as holding a help request begun (help_started_at)
// whose life ends before until: the session has been idle past the time it could still be
// continued. The partial index on help_started_at keeps this to the few marked sessions;
// a session's life cannot end before its mark was set plus the shorter life.
func (s *Store) DueUnfinished(ctx context.Context, until time.Time, life care.SessionLife, limit int) ([]care.DueItem, error) {
	sms, dial := int64(life.SMS/time.Second), int64(life.Dial/time.Second)
	rows, err := s.pool.Query(ctx, `
		SELECT id, due FROM (
			SELECT id, updated_at + CASE WHEN channel = 'sms' THEN $2::bigint ELSE $3::bigint END * interval '1 second' AS due
			FROM dialog_session
			WHERE help_started_at IS NOT NULL
			  AND help_started_at <= $1::timestamptz - LEAST($2::bigint, $3::bigint) * interval '1 second') marked
		WHERE due <= $1::timestamptz
		ORDER BY due LIMIT $4`, until, sms, dial, limit)
	if err != nil {
		return nil, mapError(err, "find unfinished help requests")
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (care.DueItem, error) {
		it := care.DueItem{Kind: care.WorkUnfinished}
		err := r.Scan(&it.ID, &it.At)
		return it, err
	})
	if err != nil {
		return nil, mapError(err, "find unfinished help requests")
	}
	return items, nil
}

// RunUnfinished locks dialog session id, loads its caller (the person with its phone and
// their open case), lets fn decide, and files the unfinished help request fn reports (as
// the help flow files one, marked unfinished) and clears the session's mark, in one
// transaction.
func (s *Store) RunUnfinished(ctx context.Context, id int64, now time.Time, fn func(care.UnfinishedWork) (care.UnfinishedResult, error)) (care.EscalationID, error) {
	var esc care.EscalationID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			w    care.UnfinishedWork
			vars []byte
		)
		d := &w.Session
		err := tx.QueryRow(ctx, `
			SELECT id, channel, key, phone, flow, state, vars, language, version, updated_at, help_started_at
			FROM dialog_session WHERE id = $1 FOR UPDATE`, id).Scan(
			&d.ID, &d.Channel, &d.Key, &d.Phone, &d.Flow, &d.State, &vars, &d.Language, &d.Version, &d.UpdatedAt, &w.Since)
		if err != nil {
			return mapError(err, "load dialog session %d", id)
		}
		if d.Vars, err = turnVars(vars); err != nil {
			return fmt.Errorf("load dialog session %d: %w", id, err)
		}
		p := &care.Person{}
		dest, setProfile := workPersonDest(p)
		err = tx.QueryRow(ctx, `SELECT `+workPersonCols+` FROM person p WHERE p.phone = $1`, d.Phone).Scan(dest...)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return mapError(err, "load caller of dialog session %d", id)
		default:
			setProfile()
			w.Person = p
			err := tx.QueryRow(ctx, `SELECT id FROM care_case WHERE person_id = $1 AND step <> 'closed'`, p.ID).Scan(&w.CaseID)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return mapError(err, "load case of dialog session %d", id)
			}
		}
		res, err := fn(w)
		if err != nil {
			return err
		}
		if h := res.Report; h != nil {
			filed, _, err := fileHelp(ctx, tx, dialog.HelpFiling{
				PersonID: h.PersonID, CaseID: w.CaseID, Phone: h.Phone, Commune: h.Commune, Category: h.Category,
				Description: h.Description, InDanger: h.InDanger, Channel: h.Channel, Unfinished: true,
				Now: now, NextLevelAt: res.NextLevelAt, Priority: res.Priority,
			})
			if err != nil {
				return fmt.Errorf("report unfinished help of dialog session %d: %w", id, err)
			}
			esc = filed.EscalationID
		}
		if res.Report != nil || res.Clear {
			if _, err := tx.Exec(ctx, clearHelpMarkSQL, id); err != nil {
				return mapError(err, "clear dialog session %d", id)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return esc, nil
}
