package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// RemindDue tells case managers, through tell, of the periodic reviews of their cases in
// monitoring that came due and of the services of approved plans whose due date (in loc's
// calendar) came, at most limit of each, once each: a review once per review date, a service
// once. The messages and the marks commit together; rows another pass holds are skipped.
// It returns how many reminders it wrote.
func (s *Store) RemindDue(ctx context.Context, now time.Time, loc *time.Location, limit int, tell care.Announcer) (int, error) {
	if loc == nil {
		loc = time.UTC
	}
	lt := now.In(loc)
	today := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
	n := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT `+caseColumns+` FROM care_case
			WHERE step = 'monitoring' AND next_review_at <= $1 AND review_reminded_for IS DISTINCT FROM next_review_at
			ORDER BY next_review_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit)
		if err != nil {
			return err
		}
		cases, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*care.Case, error) { return scanCase(row) })
		if err != nil {
			return err
		}
		var out []care.Outgoing
		for _, c := range cases {
			news, err := dueNews(ctx, tx, c)
			if err != nil {
				return err
			}
			out = append(out, tell.Due(news)...)
			if _, err := tx.Exec(ctx, `UPDATE care_case SET review_reminded_for = next_review_at WHERE id = $1`, int64(c.ID)); err != nil {
				return err
			}
			n++
		}
		rows, err = tx.Query(ctx, `
			SELECT ps.id, ps.area, ps.description, ps.provider, ps.due, ps.status, sp.case_id
			FROM plan_service ps JOIN support_plan sp ON sp.id = ps.plan_id JOIN care_case c ON c.id = sp.case_id
			WHERE ps.due <= $1 AND NOT ps.due_reminded AND ps.status IN ('planned', 'in_progress')
			  AND sp.status = 'approved' AND c.step <> 'closed'
			ORDER BY ps.due, ps.id LIMIT $2 FOR UPDATE OF ps SKIP LOCKED`, today, limit)
		if err != nil {
			return err
		}
		type due struct {
			sv     care.PlanService
			caseID care.CaseID
		}
		services, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (due, error) {
			var d due
			err := row.Scan(&d.sv.ID, &d.sv.Area, &d.sv.Description, &d.sv.Provider, &d.sv.Due, &d.sv.Status, &d.caseID)
			d.sv.Due = utc(d.sv.Due)
			return d, err
		})
		if err != nil {
			return err
		}
		for _, d := range services {
			c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM care_case WHERE id = $1`, int64(d.caseID)))
			if err != nil {
				return err
			}
			news, err := dueNews(ctx, tx, c)
			if err != nil {
				return err
			}
			sv := d.sv
			news.Service = &sv
			out = append(out, tell.Due(news)...)
			if _, err := tx.Exec(ctx, `UPDATE plan_service SET due_reminded = true WHERE id = $1`, int64(sv.ID)); err != nil {
				return err
			}
			n++
		}
		return writeMessages(ctx, tx, out, s.now())
	})
	if err != nil {
		return 0, mapError(err, "remind due reviews and services")
	}
	return n, nil
}

// dueNews loads the person and the case manager of c.
func dueNews(ctx context.Context, tx pgx.Tx, c *care.Case) (care.DueNews, error) {
	p, err := personOf(ctx, tx, c.PersonID)
	if err != nil {
		return care.DueNews{}, err
	}
	m, err := managerOf(ctx, tx, c.ManagerID)
	if err != nil {
		return care.DueNews{}, err
	}
	return care.DueNews{Case: *c, Person: *p, Manager: *m}, nil
}
