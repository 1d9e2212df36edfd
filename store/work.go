package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// This file and the other work*.go files implement care.WorkStore: the rows the background
// workers lock, act on and record, each in one transaction.

var _ care.WorkStore = (*Store)(nil)

// workPersonCols lists a person's columns (aliased p) in the order workPersonDest scans them:
// what the workers decide on (sex and year of birth: the priority of help requests), not
// the PIN count or the staff-only record.
const workPersonCols = `p.id, p.phone, p.name, p.commune, p.language, p.profile, p.channel, p.diacritics,
	p.consent_at, p.caregiver_name, coalesce(p.caregiver_phone, ''), p.caregiver_consent,
	coalesce(p.registered_by, ''), coalesce(p.pin_hash, ''), p.status, p.sms_unreachable_at, p.created_at, p.updated_at,
	coalesce(p.sex, ''), coalesce(p.birth_year, 0)`

// workPersonDest returns scan targets for workPersonCols; call profile's setter after the scan.
func workPersonDest(p *care.Person) ([]any, func()) {
	var profile []string
	dest := []any{&p.ID, &p.Phone, &p.Name, &p.Commune, &p.Language, &profile, &p.Channel, &p.Diacritics,
		&p.ConsentAt, &p.CaregiverName, &p.CaregiverPhone, &p.CaregiverConsent,
		&p.RegisteredBy, &p.PINHash, &p.Status, &p.SMSUnreachableAt, &p.CreatedAt, &p.UpdatedAt,
		&p.Sex, &p.BirthYear}
	return dest, func() {
		p.Profile = make([]care.Disability, len(profile))
		for i, d := range profile {
			p.Profile[i] = care.Disability(d)
		}
	}
}

// openEscalation writes e as newEscalation does, through q, and returns its id; 0 when a
// unique index says it exists already.
func openEscalation(ctx context.Context, q db, e *care.Escalation, now time.Time) (care.EscalationID, error) {
	n := newEscalation{e: e, now: now}
	var id care.EscalationID
	err := q.QueryRow(ctx, openEscalationSQL, n.args()...).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, mapError(err, "open %s escalation", e.Reason)
	}
	n.opened(id)
	return id, nil
}

// twoTrips runs a read-decide-write transaction in two round trips, as timed work comes by
// the thousand: BEGIN and the locking read go in one pipelined batch, then the writes that
// write queues and COMMIT in another. read queues its query with a callback that scans;
// write runs between the two and may fail to roll everything back.
func (s *Store) twoTrips(ctx context.Context, read func(b *pgx.Batch), write func(b *pgx.Batch) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return mapError(err, "acquire connection")
	}
	defer conn.Release()
	rollback := func() {
		// A connection that cannot roll back is closed rather than pooled mid-transaction.
		if _, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	read(b)
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		rollback()
		return err
	}
	w := &pgx.Batch{}
	if err := write(w); err != nil {
		rollback()
		return err
	}
	w.Queue("COMMIT")
	if err := conn.SendBatch(ctx, w).Close(); err != nil {
		rollback()
		return err
	}
	return nil
}

// dispatchLockKey is the advisory lock one dispatcher holds across replicas ("caseline" + 1).
const dispatchLockKey int64 = 0x636173656c696e01

// LockDispatch takes the dispatcher's session-level advisory lock on a connection of its own.
func (s *Store) LockDispatch(ctx context.Context) (func(), bool, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, mapError(err, "acquire dispatch lock connection")
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, dispatchLockKey).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, mapError(err, "try dispatch lock")
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	unlock := func() {
		ctx := context.WithoutCancel(ctx)
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, dispatchLockKey); err != nil {
			// A connection that may still hold the lock is closed rather than reused.
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}
	return unlock, true, nil
}
