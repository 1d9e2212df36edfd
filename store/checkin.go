package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// DefaultCheckInWindow is how long a person has to answer a check-in when the schedule
// does not say (PRODUCT.md: 48 hours).
const DefaultCheckInWindow = 48 * time.Hour

// CreateSchedule stores sc and sets its ID and CreatedAt; a zero window is
// DefaultCheckInWindow. The window is kept in whole minutes.
func (s *Store) CreateSchedule(ctx context.Context, sc *care.CheckInSchedule) error {
	if err := readySchedule(sc); err != nil {
		return mapError(err, "create check-in schedule")
	}
	now := s.now()
	if err := insertSchedule(ctx, s.pool, sc, now); err != nil {
		return mapError(err, "create check-in schedule")
	}
	sc.CreatedAt = now
	return nil
}

// readySchedule gives sc the default window when it has none and checks the window is whole
// minutes, before anything is written.
func readySchedule(sc *care.CheckInSchedule) error {
	if sc.Window == 0 {
		sc.Window = DefaultCheckInWindow
	}
	if sc.Window%time.Minute != 0 {
		return care.FieldError("window", "the window must be whole minutes")
	}
	return nil
}

// insertSchedule inserts sc, created at now, through q and sets its ID. CreateSchedule and
// CreateScheduleAs share it; errors come back unmapped.
func insertSchedule(ctx context.Context, q db, sc *care.CheckInSchedule, now time.Time) error {
	return q.QueryRow(ctx, `
		INSERT INTO checkin_schedule (case_id, weekday, minute_of_day, window_minutes, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id`,
		int64(sc.CaseID), int16(sc.Weekday), int32(sc.Minute), int32(sc.Window/time.Minute), sc.Active, now,
	).Scan(&sc.ID)
}

// Schedule returns the check-in schedule with id.
func (s *Store) Schedule(ctx context.Context, id care.ScheduleID) (*care.CheckInSchedule, error) {
	sc, err := scanSchedule(s.pool.QueryRow(ctx, `SELECT `+scheduleColumns+` FROM checkin_schedule WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load check-in schedule %d", id)
	}
	return sc, nil
}

// checkInColumns is what scanCheckIn reads, in its order.
const checkInColumns = `id, schedule_id, case_id, person_id, due_at, retry_at, deadline_at, status, answered_at`

func scanCheckIn(row pgx.Row) (*care.CheckIn, error) {
	var c care.CheckIn
	err := row.Scan(&c.ID, &c.ScheduleID, &c.CaseID, &c.PersonID, &c.DueAt, &c.RetryAt, &c.DeadlineAt, &c.Status, &c.AnsweredAt)
	if err != nil {
		return nil, err
	}
	c.DueAt, c.RetryAt, c.DeadlineAt, c.AnsweredAt = c.DueAt.UTC(), c.RetryAt.UTC(), c.DeadlineAt.UTC(), utc(c.AnsweredAt)
	return &c, nil
}

// answerCheckInSQL records answer $2 at $3 to check-in $1 if it is still open (pending,
// sent or retried): a turn's answer (Commit), and storetest's through AnswerCheckIn.
const answerCheckInSQL = `UPDATE checkin SET status = $2, answered_at = $3 WHERE id = $1 AND status IN ('pending', 'sent', 'retried')`
