package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// MaterialiseCheckIns writes the check-ins of active schedules (of open cases) falling
// before until and moves each schedule's next_due_at past them. Occurrences whose window
// closed already (the service was down) are skipped rather than escalated all at once.
func (s *Store) MaterialiseCheckIns(ctx context.Context, now, until time.Time, loc *time.Location, limit int) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT s.id, s.case_id, k.person_id, s.weekday, s.minute_of_day, s.window_minutes, s.next_due_at
			FROM checkin_schedule s JOIN care_case k ON k.id = s.case_id
			WHERE s.active AND k.step <> 'closed' AND (s.next_due_at IS NULL OR s.next_due_at < $1)
			ORDER BY s.next_due_at NULLS FIRST
			LIMIT $2
			FOR UPDATE OF s SKIP LOCKED`, until, limit)
		if err != nil {
			return mapError(err, "find due check-in schedules")
		}
		type due struct {
			sched  care.CheckInSchedule
			person care.PersonID
			next   *time.Time
		}
		var list []due
		for rows.Next() {
			var (
				d       due
				weekday int
				window  int
			)
			if err := rows.Scan(&d.sched.ID, &d.sched.CaseID, &d.person, &weekday, &d.sched.Minute, &window, &d.next); err != nil {
				rows.Close()
				return mapError(err, "scan check-in schedule")
			}
			d.sched.Weekday = time.Weekday(weekday)
			d.sched.Window = time.Duration(window) * time.Minute
			list = append(list, d)
		}
		if err := rows.Err(); err != nil {
			return mapError(err, "find due check-in schedules")
		}
		for _, d := range list {
			at := d.sched.Next(now, loc, true)
			if d.next != nil {
				at = *d.next
			}
			for at.Before(until) {
				if at.Add(d.sched.Window).After(now) {
					_, err := tx.Exec(ctx, checkinSQL,
						d.sched.ID, d.sched.CaseID, d.person, at, at.Add(d.sched.Window/2), at.Add(d.sched.Window))
					if err != nil {
						return mapError(err, "write check-in of schedule %d", d.sched.ID)
					}
					n++
				}
				at = d.sched.Next(at, loc, false)
			}
			if _, err := tx.Exec(ctx, `UPDATE checkin_schedule SET next_due_at = $2 WHERE id = $1`, d.sched.ID, at); err != nil {
				return mapError(err, "advance check-in schedule %d", d.sched.ID)
			}
		}
		return nil
	})
	return n, err
}

// RunCheckIn locks check-in id with its person and case, lets fn decide, and records the new
// status, the messages and the escalation fn asks for, in two round trips.
func (s *Store) RunCheckIn(ctx context.Context, id care.CheckInID, now time.Time, fn func(care.CheckInWork) (care.CheckInResult, error)) (care.CheckInOutcome, error) {
	var (
		out care.CheckInOutcome
		w   care.CheckInWork
	)
	c, k := &w.CheckIn, &w.Case
	pdest, setProfile := workPersonDest(&w.Person)
	dest := append([]any{&c.ID, &c.ScheduleID, &c.CaseID, &c.PersonID, &c.DueAt, &c.RetryAt, &c.DeadlineAt, &c.Status, &c.AnsweredAt,
		&k.ID, &k.PersonID, &k.ManagerID, &k.Commune, &k.Step, &k.OpenedAt, &k.ClosedAt, &k.UpdatedAt}, pdest...)
	read := func(b *pgx.Batch) {
		b.Queue(`
			SELECT c.id, c.schedule_id, c.case_id, c.person_id, c.due_at, c.retry_at, c.deadline_at, c.status, c.answered_at,
				k.id, k.person_id, k.manager_id, k.commune, k.step, k.opened_at, k.closed_at, k.updated_at,
				`+workPersonCols+`
			FROM checkin c
			JOIN care_case k ON k.id = c.case_id
			JOIN person p ON p.id = c.person_id
			WHERE c.id = $1
			FOR UPDATE OF c`, id).QueryRow(func(row pgx.Row) error {
			return mapError(row.Scan(dest...), "load check-in %d", id)
		})
	}
	write := func(b *pgx.Batch) error {
		setProfile()
		res, err := fn(w)
		if err != nil {
			return err
		}
		if res.Status != c.Status {
			b.Queue(`UPDATE checkin SET status = $2 WHERE id = $1`, id, res.Status)
		}
		outbound{msgs: res.Messages, now: now}.ids(b, &out.Messages)
		if e := res.Escalation; e != nil {
			// No id: the check-in's escalation exists already.
			newEscalation{e: e, now: now}.queue(b, func(id care.EscalationID) { out.Escalation = id })
		}
		return nil
	}
	if err := s.twoTrips(ctx, read, write); err != nil {
		return care.CheckInOutcome{}, mapError(err, "run check-in %d", id)
	}
	return out, nil
}
