package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseline/caseline/care"
)

// Exported for storetest, so fixtures read and write with the store's own statements and
// scans, never a copy. Production code calls the methods of *Store, not these.

// MapError is the store's error map (mapError), for fixtures that write rows the store
// never writes so.
func MapError(err error, op string, args ...any) error { return mapError(err, op, args...) }

// Pool returns the underlying pool, for fixtures that write rows the store never writes so.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Now is the store's clock as the store stamps rows (now).
func (s *Store) Now() time.Time { return s.now() }

// CancelReminders cancels every pending reminder of appointment id, whatever its state, as
// if someone had: the doors that cancel an appointment cancel its reminders themselves.
func (s *Store) CancelReminders(ctx context.Context, id care.AppointmentID) error {
	err := reminderCancel{ids: []int64{int64(id)}}.exec(ctx, s.pool)
	return mapError(err, "cancel reminders of appointment %d", id)
}

// The readers take where, a condition on the table and any ORDER BY, with its arguments
// args, and return the first row; ENOTFOUND when none matches.

// ReadMessage reads a message by scanMessage over messageColumns.
func ReadMessage(ctx context.Context, st *Store, where string, args ...any) (*care.Message, error) {
	m, err := scanMessage(st.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM message WHERE `+where, args...))
	if err != nil {
		return nil, mapError(err, "load message")
	}
	return m, nil
}

// ReadAuditLog reads every audit entry that where picks, in its order.
func ReadAuditLog(ctx context.Context, st *Store, where string, args ...any) ([]care.AuditEntry, error) {
	rows, err := st.pool.Query(ctx, `
		SELECT id, COALESCE(actor_id, 0), action, entity, COALESCE(entity_id, 0), detail, at
		FROM audit_log WHERE `+where, args...)
	if err != nil {
		return nil, mapError(err, "load audit log")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.AuditEntry, error) {
		var a care.AuditEntry
		err := row.Scan(&a.ID, &a.ActorID, &a.Action, &a.Entity, &a.EntityID, &a.Detail, &a.At)
		a.At = a.At.UTC()
		return a, err
	})
	if err != nil {
		return nil, mapError(err, "load audit log")
	}
	return out, nil
}

// ReadCheckIn reads a check-in by scanCheckIn over checkInColumns.
func ReadCheckIn(ctx context.Context, st *Store, where string, args ...any) (*care.CheckIn, error) {
	c, err := scanCheckIn(st.pool.QueryRow(ctx, `SELECT `+checkInColumns+` FROM checkin WHERE `+where, args...))
	if err != nil {
		return nil, mapError(err, "load check-in")
	}
	return c, nil
}

// ReadPerson reads a person by scanPerson over personColumns.
func ReadPerson(ctx context.Context, st *Store, where string, args ...any) (*care.Person, error) {
	p, err := scanPerson(st.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE `+where, args...))
	if err != nil {
		return nil, mapError(err, "load person")
	}
	return p, nil
}

// InsertMessage writes m as it is (any direction and status) by messageInsert at st's clock
// and sets its ID and timestamps; an empty provider id or idempotency key is stored as none.
func InsertMessage(ctx context.Context, st *Store, m *care.Message) error {
	now := st.now()
	err := st.pool.QueryRow(ctx, messageInsert+`
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, NULLIF($6::bigint, 0), $7, $8, NULLIF($9, ''), NULL, $10, $11, $11)
		RETURNING id`,
		string(m.Direction), string(m.Channel), string(m.Provider), m.ProviderID, m.Phone.E164(),
		int64(m.PersonID), m.Body, string(m.Status), m.IdempotencyKey, m.NextAttemptAt, now,
	).Scan(&m.ID)
	if err != nil {
		return mapError(err, "log message")
	}
	m.CreatedAt, m.UpdatedAt = now, now
	return nil
}

// InsertHelpRequest writes h as it is (any status), created at st's clock, by helpInsert
// and sets its ID and CreatedAt; a zero PersonID and an empty commune are stored as unknown.
// It opens no escalation.
func InsertHelpRequest(ctx context.Context, st *Store, h *care.HelpRequest) error {
	now := st.now()
	err := st.pool.QueryRow(ctx, helpInsert+`
		VALUES (NULLIF($1::bigint, 0), $2, NULLIF($3, ''), $4, $5, $6, $7, $8, false, $9, NULL)
		RETURNING id`,
		int64(h.PersonID), h.Phone.E164(), string(h.Commune), string(h.Category), h.Description,
		h.InDanger, string(h.Channel), string(h.Status), now,
	).Scan(&h.ID)
	if err != nil {
		return mapError(err, "create help request")
	}
	h.CreatedAt = now
	return nil
}

// InsertEscalation writes e by the one escalation write (newEscalation: open, at level 0,
// not notified) at st's clock and sets its ID, level, status and times; one that a unique
// index says exists already is ECONFLICT. Fixtures set the rest of the row as they like
// after it.
func InsertEscalation(ctx context.Context, st *Store, e *care.Escalation) error {
	var (
		b  pgx.Batch
		id care.EscalationID
	)
	newEscalation{e: e, now: st.now()}.queue(&b, func(got care.EscalationID) { id = got })
	if err := st.pool.SendBatch(ctx, &b).Close(); err != nil {
		return mapError(err, "create escalation")
	}
	if id == 0 {
		return mapError(care.Errorf(care.ECONFLICT, "this escalation exists already"), "create escalation")
	}
	return nil
}

// InsertCheckIn writes c pending by the one check-in write (checkinSQL) and sets its ID and
// status; one of its schedule at the same time is ECONFLICT. Fixtures set the rest of the
// row as they like after it.
func InsertCheckIn(ctx context.Context, st *Store, c *care.CheckIn) error {
	err := st.pool.QueryRow(ctx, checkinSQL+` RETURNING id`,
		int64(c.ScheduleID), int64(c.CaseID), int64(c.PersonID), c.DueAt, c.RetryAt, c.DeadlineAt).Scan(&c.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = care.Errorf(care.ECONFLICT, "this check-in is already scheduled")
	}
	if err != nil {
		return mapError(err, "create check-in")
	}
	c.Status = care.CheckInPending
	return nil
}

// AnswerCheckIn answers check-in id with status at at by a turn's statement
// (answerCheckInSQL): only an open check-in (pending, sent or retried) changes; another is
// ECONFLICT, a missing one ENOTFOUND.
func AnswerCheckIn(ctx context.Context, st *Store, id care.CheckInID, status care.CheckInStatus, at time.Time) error {
	var got int64
	err := st.pool.QueryRow(ctx, answerCheckInSQL+` RETURNING id`, int64(id), string(status), at).Scan(&got)
	if err != nil {
		err = st.whyNot(ctx, st.pool, err, `SELECT EXISTS (SELECT 1 FROM checkin WHERE id = $1)`, int64(id),
			"the check-in was already answered or closed")
	}
	return mapError(err, "answer check-in %d", id)
}

// SubmitPlan and ApprovePlan take a plan to approval without the audit entry or the news
// of the doors staff use (SubmitPlanAs, ApprovePlanAs), for fixtures that need an approved
// plan at a given time.

// SubmitPlan sends a draft or returned plan to the approver; any other is ECONFLICT.
func (s *Store) SubmitPlan(ctx context.Context, id care.PlanID) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := submitPlan(ctx, tx, id, s.now())
		return err
	})
	return mapError(err, "submit plan %d", id)
}

// ApprovePlan records that staff member by, an active approver or admin (EUNAUTHORIZED
// otherwise), approved submitted plan id at at (a zero at is now), under their own name. The
// plan it revises, if any, is replaced in the same transaction. Approving a plan not
// submitted, approved already or replaced is ECONFLICT.
func (s *Store) ApprovePlan(ctx context.Context, id care.PlanID, by care.ManagerID, at time.Time) error {
	at = s.orNow(at)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := approvePlan(ctx, tx, id, by, at)
		return err
	})
	if err != nil {
		return mapError(err, "approve plan %d", id)
	}
	return nil
}
