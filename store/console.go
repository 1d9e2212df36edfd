package store

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

var _ care.ConsoleStore = (*Store)(nil)

// The console's sign-in and sessions. A number's row in console_signin is locked for the
// whole of a request or a try, so two tries at once cannot both pass the failure count.

// signinRow locks (creating it if need be) the console_signin row of phone and returns it.
func signinRow(ctx context.Context, tx pgx.Tx, phone care.Phone) (codeHash *string, sentAt, expiresAt, lockedUntil *time.Time, failures int16, err error) {
	err = tx.QueryRow(ctx, `
		INSERT INTO console_signin (phone) VALUES ($1)
		ON CONFLICT (phone) DO UPDATE SET phone = EXCLUDED.phone
		RETURNING code_hash, sent_at, expires_at, locked_until, failures`, phone.E164(),
	).Scan(&codeHash, &sentAt, &expiresAt, &lockedUntil, &failures)
	return
}

// activeStaff returns the id and language of the active staff member with phone, 0 when none.
func activeStaff(ctx context.Context, tx pgx.Tx, phone care.Phone) (care.ManagerID, care.Language, error) {
	var id care.ManagerID
	var lang care.Language
	err := tx.QueryRow(ctx, `SELECT id, language FROM case_manager WHERE phone = $1 AND active`, phone.E164()).Scan(&id, &lang)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	return id, lang, err
}

// RequestSignInCode records r's code for its number and queues the SMS when the number is an
// active staff member's, unless the number is locked or had a code within care.SignInCodeGap.
// The message is an ordinary outbound row: the workers send it like any other.
func (s *Store) RequestSignInCode(ctx context.Context, r care.CodeRequest) (care.SignInOutcome, error) {
	now := s.now()
	var out care.SignInOutcome
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		_, sentAt, _, lockedUntil, _, err := signinRow(ctx, tx, r.Phone)
		if err != nil {
			return err
		}
		staff, lang, err := activeStaff(ctx, tx, r.Phone)
		if err != nil {
			return err
		}
		switch {
		case lockedUntil != nil && lockedUntil.After(now):
			out = care.SignInLocked
		case sentAt != nil && now.Sub(*sentAt) < care.SignInCodeGap:
			out = care.SignInTooSoon
		default:
			if _, err := tx.Exec(ctx, `
				UPDATE console_signin SET code_hash = $2, sent_at = $3, expires_at = $4 WHERE phone = $1`,
				r.Phone.E164(), r.CodeHash, now, now.Add(care.SignInCodeLife)); err != nil {
				return err
			}
			out = care.SignInNotStaff
			if staff != 0 {
				body := r.Bodies[lang]
				if body == "" {
					body = r.Bodies[care.Vietnamese]
				}
				b := &pgx.Batch{}
				outbound{msgs: []care.Outgoing{{Key: "console-code:" + r.CodeHash, Phone: r.Phone, Channel: care.ChannelSMS,
					Provider: r.Provider, Body: body}}, now: now}.queue(b, nil)
				if err := tx.SendBatch(ctx, b).Close(); err != nil {
					return err
				}
				out = care.SignInSent
			}
		}
		return auditEntry{by: staff, action: care.AuditSignInCode, entity: "case_manager", id: int64(staff),
			detail: map[string]any{"outcome": out}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return "", mapError(err, "request sign-in code")
	}
	return out, nil
}

// SignIn tries codeHash for phone. A right, unexpired code of an active staff member signs
// them in: the code is spent and a session of sessionHash stored. A wrong code (or any code
// of a number that is not staff) adds a failure; the care.SignInMaxFailures-th locks the
// number for care.SignInLock and spends the code. Every try is audited with its outcome.
func (s *Store) SignIn(ctx context.Context, phone care.Phone, codeHash, sessionHash string) (*care.Staff, care.SignInOutcome, error) {
	now := s.now()
	var out care.SignInOutcome
	var staff care.ManagerID
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		stored, _, expiresAt, lockedUntil, failures, err := signinRow(ctx, tx, phone)
		if err != nil {
			return err
		}
		if staff, _, err = activeStaff(ctx, tx, phone); err != nil {
			return err
		}
		match := stored != nil && subtle.ConstantTimeCompare([]byte(*stored), []byte(codeHash)) == 1
		switch {
		case lockedUntil != nil && lockedUntil.After(now):
			out = care.SignInLocked
		case match && expiresAt.Before(now):
			out = care.SignInExpired
		case match && staff != 0:
			out = care.SignInOK
			if _, err := tx.Exec(ctx, `
				UPDATE console_signin SET code_hash = NULL, expires_at = NULL, failures = 0, locked_until = NULL
				WHERE phone = $1`, phone.E164()); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO console_session (hash, manager_id, created_at, seen_at) VALUES ($1, $2, $3, $3)`,
				sessionHash, int64(staff), now); err != nil {
				return err
			}
		default:
			out = care.SignInWrongCode
			failures++
			var lock *time.Time
			if failures >= care.SignInMaxFailures {
				out, failures = care.SignInLocked, 0
				until := now.Add(care.SignInLock)
				lock = &until
			}
			// A lock spends the code too: the next try needs a new one.
			if _, err := tx.Exec(ctx, `
				UPDATE console_signin SET failures = $2, locked_until = $3,
					code_hash = CASE WHEN $3::timestamptz IS NULL THEN code_hash END,
					expires_at = CASE WHEN $3::timestamptz IS NULL THEN expires_at END
				WHERE phone = $1`, phone.E164(), failures, lock); err != nil {
				return err
			}
		}
		return auditEntry{by: staff, action: care.AuditSignIn, entity: "case_manager", id: int64(staff),
			detail: map[string]any{"outcome": out}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return nil, "", mapError(err, "sign in")
	}
	if out != care.SignInOK {
		return nil, out, nil
	}
	st, err := s.StaffBySession(ctx, sessionHash)
	return st, out, err
}

// StaffBySession returns the staff member of a live session and marks it seen (at most once
// a minute), in one round trip; a session unknown, ended or idle for care.SessionIdle, or of a staff member no longer
// active, is EUNAUTHORIZED.
func (s *Store) StaffBySession(ctx context.Context, sessionHash string) (*care.Staff, error) {
	now := s.now()
	// The session is marked seen at most once a minute: a page load then costs no write.
	st, err := scanStaff(s.pool.QueryRow(ctx, `
		WITH live AS (
			SELECT manager_id FROM console_session WHERE hash = $1 AND ended_at IS NULL AND seen_at > $3),
		seen AS (
			UPDATE console_session SET seen_at = $2
			WHERE hash = $1 AND seen_at < $4 AND EXISTS (SELECT FROM live))
		SELECT `+staffColumns+`
		FROM live JOIN case_manager m ON m.id = live.manager_id WHERE m.active`,
		sessionHash, now, now.Add(-care.SessionIdle), now.Add(-time.Minute)))
	if errors.Is(err, pgx.ErrNoRows) {
		err = care.Errorf(care.EUNAUTHORIZED, "no such session")
	}
	if err != nil {
		return nil, mapError(err, "find session")
	}
	return st, nil
}

// SignOut ends the session and records it; ending an ended or unknown session does nothing.
func (s *Store) SignOut(ctx context.Context, sessionHash string) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var by care.ManagerID
		err := tx.QueryRow(ctx, `
			UPDATE console_session SET ended_at = $2 WHERE hash = $1 AND ended_at IS NULL RETURNING manager_id`,
			sessionHash, s.now()).Scan(&by)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		return auditEntry{by: by, action: care.AuditSignOut, entity: "case_manager", id: int64(by), at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return mapError(err, "sign out")
	}
	return nil
}
