package store

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// CreateAPIToken makes a bearer token for staff member id, labelled label (e.g. "laptop"),
// and records it in the audit log as done by by (0 for the system, as from the command
// line). It returns the plaintext, which is shown once and never stored (only its SHA-256
// is), and the stored token. An unknown or inactive staff member is EINVALID.
//
// This is what `caseline token create` calls.
func (s *Store) CreateAPIToken(ctx context.Context, by, id care.ManagerID, label string) (string, *care.APIToken, error) {
	label = strings.TrimSpace(label)
	if len([]rune(label)) > 100 {
		return "", nil, mapError(care.FieldError("label", "label is longer than 100 characters"), "create token for manager %d", id)
	}
	plain, hash, err := care.NewAPIToken()
	if err != nil {
		return "", nil, mapError(err, "create token for manager %d", id)
	}
	t := &care.APIToken{ManagerID: id, Label: label, CreatedAt: s.now()}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var active bool
		if err := tx.QueryRow(ctx, `SELECT active FROM case_manager WHERE id = $1`, int64(id)).Scan(&active); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return care.FieldError("manager", "no staff member %d", id)
			}
			return err
		}
		if !active {
			return care.FieldError("manager", "staff member %d is not active", id)
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO api_token (manager_id, hash, label, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			int64(id), hash, label, t.CreatedAt).Scan(&t.ID)
		if err != nil {
			return err
		}
		return auditEntry{by: by, action: care.AuditTokenCreate, entity: "api_token", id: int64(t.ID),
			detail: map[string]any{"manager_id": int64(id)}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return "", nil, mapError(err, "create token for manager %d", id)
	}
	return plain, t, nil
}

// RevokeAPIToken revokes token id at once, recorded in the audit log as done by by (0 for
// the system). Revoking a revoked token again is a no-op; an unknown one is ENOTFOUND.
//
// This is what `caseline token revoke` calls.
func (s *Store) RevokeAPIToken(ctx context.Context, by care.ManagerID, id care.TokenID) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var revoked bool
		err := tx.QueryRow(ctx, `SELECT revoked_at IS NOT NULL FROM api_token WHERE id = $1 FOR UPDATE`, int64(id)).Scan(&revoked)
		if err != nil || revoked {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE api_token SET revoked_at = $2 WHERE id = $1`, int64(id), s.now()); err != nil {
			return err
		}
		return auditEntry{by: by, action: care.AuditTokenRevoke, entity: "api_token", id: int64(id),
			detail: map[string]any{}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return mapError(err, "revoke token %d", id)
	}
	return nil
}

// APITokens lists staff member id's tokens, revoked ones included, oldest first; for
// `caseline token list`.
func (s *Store) APITokens(ctx context.Context, id care.ManagerID) ([]care.APIToken, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, manager_id, label, created_at, revoked_at FROM api_token WHERE manager_id = $1 ORDER BY id`, int64(id))
	if err != nil {
		return nil, mapError(err, "list tokens of manager %d", id)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.APIToken, error) {
		var t care.APIToken
		err := row.Scan(&t.ID, &t.ManagerID, &t.Label, &t.CreatedAt, &t.RevokedAt)
		t.CreatedAt, t.RevokedAt = t.CreatedAt.UTC(), utc(t.RevokedAt)
		return t, err
	})
	if err != nil {
		return nil, mapError(err, "list tokens of manager %d", id)
	}
	return out, nil
}

// StaffByToken returns the active staff member holding the unrevoked token plaintext, with
// the communes of their team (their own and those of the staff they supervise), in one
// round trip. Any other token is EUNAUTHORIZED.
func (s *Store) StaffByToken(ctx context.Context, plaintext string) (*care.Staff, error) {
	if !strings.HasPrefix(plaintext, care.TokenPrefix) {
		return nil, mapError(care.Errorf(care.EUNAUTHORIZED, "invalid token"), "authenticate token")
	}
	var tokenID care.TokenID
	st, err := scanStaff(s.pool.QueryRow(ctx, `
		SELECT `+staffColumns+`, t.id
		FROM api_token t JOIN case_manager m ON m.id = t.manager_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL AND m.active`, care.HashAPIToken(plaintext)), &tokenID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = care.Errorf(care.EUNAUTHORIZED, "invalid or revoked token")
	}
	if err != nil {
		return nil, mapError(err, "authenticate token")
	}
	st.TokenID = tokenID
	return st, nil
}

// staffColumns is what scanStaff reads of case_manager m: the staff member and the communes
// of their team (their own and those of the staff they supervise).
const staffColumns = `m.id, m.name, m.phone, COALESCE(m.commune, ''), m.role, COALESCE(m.supervisor_id, 0), m.language, m.active,
	ARRAY(SELECT DISTINCT COALESCE(x.commune, '') FROM case_manager x
		WHERE x.id = m.id OR (x.supervisor_id = m.id AND x.active) ORDER BY 1)`

// scanStaff reads staffColumns and then extra.
func scanStaff(row pgx.Row, extra ...any) (*care.Staff, error) {
	var st care.Staff
	var team []string
	dest := append([]any{&st.ID, &st.Name, &st.Phone, &st.Commune, &st.Role, &st.SupervisorID, &st.Language, &st.Active, &team}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	st.Team = make([]care.CommuneCode, len(team))
	for i, c := range team {
		st.Team[i] = care.CommuneCode(c)
	}
	return &st, nil
}
