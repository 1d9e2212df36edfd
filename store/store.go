package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseline/caseline/care"
)

// Store implements care.Store over a pgx pool.
type Store struct {
	pool  *pgxpool.Pool
	clock care.Clock
}


// New returns a Store on pool; clock stamps the times the store sets itself.
func New(pool *pgxpool.Pool, clock care.Clock) *Store {
	return &Store{pool: pool, clock: clock}
}

// Pool returns the underlying pool, for readiness checks and wiring.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

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
	}
	return "already exists"
}
