package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// appointmentColumns is what scanAppointment reads, in its order.
const appointmentColumns = `id, case_id, person_id, at, place, purpose, status, version, created_at, updated_at`

func scanAppointment(row pgx.Row) (*care.Appointment, error) {
	var a care.Appointment
	var version int32
	err := row.Scan(&a.ID, &a.CaseID, &a.PersonID, &a.At, &a.Place, &a.Purpose, &a.Status, &version, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return nil, err
	}
	a.Version = int(version)
	a.At, a.CreatedAt, a.UpdatedAt = a.At.UTC(), a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

// CreateAppointment stores a and sets its ID and timestamps; an empty status is scheduled
// and a zero version 1.
func (s *Store) CreateAppointment(ctx context.Context, a *care.Appointment) error {
	if err := readyAppointment(a); err != nil {
		return mapError(err, "create appointment")
	}
	now := s.now()
	if err := insertAppointment(ctx, s.pool, a, now); err != nil {
		return mapError(err, "create appointment")
	}
	a.CreatedAt, a.UpdatedAt = now, now
	return nil
}

// readyAppointment fills the defaults of a new appointment (scheduled, version 1) and checks
// it has a time, before anything is written.
func readyAppointment(a *care.Appointment) error {
	if a.Status == "" {
		a.Status = care.AppointmentScheduled
	}
	if a.Version == 0 {
		a.Version = 1
	}
	return needTime(a.At)
}

// needTime is the field error of an appointment without a time.
func needTime(at time.Time) error {
	if at.IsZero() {
		return care.FieldError("at", "an appointment needs a time")
	}
	return nil
}

// insertAppointment inserts a, created at now, through q and sets its ID. CreateAppointment
// and CreateAppointmentAs share it; errors come back unmapped.
func insertAppointment(ctx context.Context, q db, a *care.Appointment, now time.Time) error {
	return q.QueryRow(ctx, `
		INSERT INTO appointment (case_id, person_id, at, place, purpose, status, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		RETURNING id`,
		int64(a.CaseID), int64(a.PersonID), a.At, a.Place, a.Purpose, string(a.Status), int32(a.Version), now,
	).Scan(&a.ID)
}

// Appointment returns the appointment with id.
func (s *Store) Appointment(ctx context.Context, id care.AppointmentID) (*care.Appointment, error) {
	a, err := scanAppointment(s.pool.QueryRow(ctx, `SELECT `+appointmentColumns+` FROM appointment WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load appointment %d", id)
	}
	return a, nil
}

// moveAppointment is MoveAppointmentAs's work inside tx: it moves scheduled appointment id,
// bumping its version, and cancels the pending reminders of older versions; errors come
// back unmapped.
func (s *Store) moveAppointment(ctx context.Context, tx pgx.Tx, id care.AppointmentID, at time.Time, place string) (*care.Appointment, error) {
	a, err := scanAppointment(tx.QueryRow(ctx, `
		UPDATE appointment SET at = $2, place = $3, version = version + 1, updated_at = $4
		WHERE id = $1 AND status = 'scheduled'
		RETURNING `+appointmentColumns, int64(id), at, place, s.now()))
	if err != nil {
		return nil, s.whyNot(ctx, tx, err, `SELECT EXISTS (SELECT 1 FROM appointment WHERE id = $1)`, int64(id),
			"only a scheduled appointment can be moved")
	}
	if err := staleReminders(int64(id)).exec(ctx, tx); err != nil {
		return nil, err
	}
	return a, nil
}

// whyNot explains a conditional UPDATE that matched no row: ENOTFOUND when the row does not
// exist (existsQuery says false), ECONFLICT with conflict as its message when it is in the
// wrong state. Other errors pass through.
func (s *Store) whyNot(ctx context.Context, q db, err error, existsQuery string, id int64, conflict string) error {
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if err := exists(ctx, q, existsQuery, id); err != nil {
		return err
	}
	return care.Errorf(care.ECONFLICT, "%s", conflict)
}

// cancelAppointment is CancelAppointmentAs's work inside tx: under the appointment's lock it
// cancels it and its pending reminders, and reports whether anything changed (false for an
// appointment cancelled already); errors come back unmapped.
func (s *Store) cancelAppointment(ctx context.Context, tx pgx.Tx, id care.AppointmentID) (bool, error) {
	var status care.AppointmentStatus
	if err := tx.QueryRow(ctx, `SELECT status FROM appointment WHERE id = $1 FOR UPDATE`, int64(id)).Scan(&status); err != nil {
		return false, err
	}
	switch status {
	case care.AppointmentCancelled:
		return false, nil
	case care.AppointmentScheduled:
	default:
		return false, care.Errorf(care.ECONFLICT, "the appointment is %s", status)
	}
	b := &pgx.Batch{}
	appointmentCancel{id: id, now: s.now()}.queue(b)
	err := tx.SendBatch(ctx, b).Close()
	return err == nil, err
}
