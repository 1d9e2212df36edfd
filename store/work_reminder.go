package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// ScheduleReminders writes the reminders of appointment id's current version as plan says,
// and cancels any pending reminder of an older version; call it when an appointment is
// created or moved. It is idempotent, and a cancelled or past appointment gets none.
func (s *Store) ScheduleReminders(ctx context.Context, id care.AppointmentID, plan care.ReminderPlan) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return syncReminders(ctx, tx, id, plan, s.clock.Now()) })
}

// syncReminders makes appointment id's pending reminders match its current version and status.
func syncReminders(ctx context.Context, tx pgx.Tx, id care.AppointmentID, plan care.ReminderPlan, now time.Time) error {
	var (
		at      time.Time
		status  care.AppointmentStatus
		version int
	)
	err := tx.QueryRow(ctx, `SELECT at, status, version FROM appointment WHERE id = $1 FOR UPDATE`, id).Scan(&at, &status, &version)
	if err != nil {
		return mapError(err, "load appointment %d", id)
	}
	if err := staleReminders(int64(id)).exec(ctx, tx); err != nil {
		return mapError(err, "cancel stale reminders of appointment %d", id)
	}
	if status != care.AppointmentScheduled {
		return nil
	}
	var (
		rids          []int64
		rver, offsets []int32
		dues          []time.Time
	)
	for _, off := range plan.Offsets {
		if due, ok := plan.DueAt(at, off, now); ok {
			rids, rver = append(rids, int64(id)), append(rver, int32(version))
			offsets, dues = append(offsets, int32(off/time.Minute)), append(dues, due)
		}
	}
	if len(rids) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, writeRemindersSQL, rids, rver, offsets, dues)
	return mapError(err, "write reminders of appointment %d", id)
}

// writeRemindersSQL writes reminders ($1 appointment, $2 version, $3 offset in minutes, $4
// due), those written already left as they are: the one INSERT of a reminder.
const writeRemindersSQL = `
	INSERT INTO reminder (appointment_id, version, offset_minutes, due_at)
	SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::timestamptz[])
	ON CONFLICT (appointment_id, version, offset_minutes) DO NOTHING`

// EnsureReminders writes the missing reminders of scheduled appointments before until whose
// current version has none yet, so reminders exist even when whoever wrote the appointment
// did not schedule them. Up to limit appointments go in one transaction of four statements,
// whatever their number; an appointment being edited meanwhile is skipped (its editor
// schedules its reminders).
func (s *Store) EnsureReminders(ctx context.Context, now, until time.Time, plan care.ReminderPlan, limit int) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT a.id, a.at, a.version FROM appointment a
			WHERE a.status = 'scheduled' AND a.at > $1 AND a.at <= $2
			  AND NOT EXISTS (SELECT 1 FROM reminder r WHERE r.appointment_id = a.id AND r.version = a.version)
			ORDER BY a.at
			LIMIT $3
			FOR UPDATE OF a SKIP LOCKED`, now, until, limit)
		if err != nil {
			return mapError(err, "find appointments without reminders")
		}
		var (
			ids, rids []int64
			rver      []int32
			offsets   []int32
			dues      []time.Time
		)
		for rows.Next() {
			var (
				id      int64
				at      time.Time
				version int32
			)
			if err := rows.Scan(&id, &at, &version); err != nil {
				rows.Close()
				return mapError(err, "find appointments without reminders")
			}
			ids = append(ids, id)
			for _, off := range plan.Offsets {
				if due, ok := plan.DueAt(at, off, now); ok {
					rids, rver = append(rids, id), append(rver, version)
					offsets, dues = append(offsets, int32(off/time.Minute)), append(dues, due)
				}
			}
		}
		if err := rows.Err(); err != nil {
			return mapError(err, "find appointments without reminders")
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		if err := staleReminders(ids...).exec(ctx, tx); err != nil {
			return mapError(err, "cancel stale reminders of %d appointments", n)
		}
		_, err = tx.Exec(ctx, writeRemindersSQL, rids, rver, offsets, dues)
		return mapError(err, "write reminders of %d appointments", n)
	})
	return n, err
}
