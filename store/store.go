package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseline/caseline/care"
)

// Store implements care.Store over a pgx pool.
type Store struct {
	pool  *pgxpool.Pool
	clock care.Clock
	// review is how far apart periodic reviews fall, counted in loc's calendar.
	review care.ReviewInterval
	loc    *time.Location
}

var _ care.Store = (*Store)(nil)

// Option sets something of a Store that has a default.
type Option func(*Store)

// WithReview sets the periodic review's interval and the time zone whose calendar counts it
// (default care.DefaultReviewInterval in UTC).
func WithReview(iv care.ReviewInterval, loc *time.Location) Option {
	return func(s *Store) {
		if iv.Months > 0 {
			s.review = iv
		}
		if loc != nil {
			s.loc = loc
		}
	}
}

// New returns a Store on pool; clock stamps the times the store sets itself.
func New(pool *pgxpool.Pool, clock care.Clock, opts ...Option) *Store {
	s := &Store{pool: pool, clock: clock, review: care.DefaultReviewInterval, loc: time.UTC}
	for _, o := range opts {
		o(s)
	}
	return s
}

// db is what both the pool and a transaction offer, so queries run in either.
type db interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// inTx runs fn in a transaction, committed when fn returns nil. The rollback runs even when
// ctx was cancelled, so a dropped request never leaves a connection mid-transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return mapError(err, "begin")
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return mapError(err, "commit")
	}
	return nil
}

// mapError turns driver errors into care errors with an operation prefix: no rows is
// ENOTFOUND, a unique violation ECONFLICT, a check, foreign key or not-null violation
// EINVALID. Anything else stays internal, wrapped.
func mapError(err error, op string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(op, args...)
	var domain *care.Error
	if errors.As(err, &domain) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, care.Errorf(care.ENOTFOUND, "not found"))
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%s: %w", what, &care.Error{Code: care.ECONFLICT, Message: conflictMessage(pg.ConstraintName)})
		case "23503": // foreign_key_violation
			return fmt.Errorf("%s: %w", what, &care.Error{Code: care.EINVALID, Message: "refers to a record that does not exist"})
		case "22021", "22P05": // text PostgreSQL cannot store (NUL, invalid UTF-8): callers check first; this is the net
			return fmt.Errorf("%s: %w", what, &care.Error{Code: care.EINVALID, Message: "text with a NUL character or invalid UTF-8"})
		case "23514", "23502", "22001", "22P02", "22007", "22008", "23P01": // check, not null, too long, bad text, bad date
			return fmt.Errorf("%s: %w", what, &care.Error{Code: care.EINVALID, Message: "invalid value (" + pg.ConstraintName + pg.ColumnName + ")"})
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

func conflictMessage(constraint string) string {
	switch constraint {
	case "person_phone_unique":
		return "a person with this phone is already registered"
	case "case_manager_phone_key":
		return "a staff member with this phone already exists"
	case "care_case_one_open":
		return "this person already has an open case"
	case "message_provider_id_unique":
		return "this provider message was already received"
	case "message_idempotency_key_unique":
		return "this message was already queued"
	case "dialog_session_key":
		return "this dialog session already exists"
	case "support_plan_current":
		return "the case already has a current plan"
	case "escalation_one_per_checkin":
		return "this check-in was already escalated"
	case "escalation_one_per_help":
		return "this help request was already escalated"
	case "checkin_schedule_id_due_at_key":
		return "this check-in is already scheduled"
	}
	return "already exists"
}

// now is the store's clock in UTC at PostgreSQL's precision, so what a method sets on a
// struct is exactly what reading the row back gives.
func (s *Store) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// orNow is at, or the store's now when at is zero: a caller that does not say when
// something happened means now.
func (s *Store) orNow(at time.Time) time.Time {
	if at.IsZero() {
		return s.now()
	}
	return at
}

// nullID stores a zero id as NULL.
func nullID[T ~int64](id T) *int64 {
	if id == 0 {
		return nil
	}
	v := int64(id)
	return &v
}

// nullText stores an empty string as NULL.
func nullText[T ~string](v T) *string {
	if v == "" {
		return nil
	}
	s := string(v)
	return &s
}

// utc gives a time read from the database in UTC, whatever the process's time zone, so
// values compare equal to the ones written.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// notFound is the ENOTFOUND error for a statement that matched no row.
func notFound() error { return care.Errorf(care.ENOTFOUND, "not found") }
