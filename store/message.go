package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// messageColumns is what scanMessage reads, in its order; absent values are zero.
const messageColumns = `id, direction, channel, provider, COALESCE(provider_id, ''), phone, COALESCE(person_id, 0),
	body, status, COALESCE(idempotency_key, ''), attempts, next_attempt_at, error_code, created_at, updated_at`

func scanMessage(row pgx.Row) (*care.Message, error) {
	var m care.Message
	var attempts int32
	err := row.Scan(&m.ID, &m.Direction, &m.Channel, &m.Provider, &m.ProviderID, &m.Phone, &m.PersonID,
		&m.Body, &m.Status, &m.IdempotencyKey, &attempts, &m.NextAttemptAt, &m.ErrorCode, &m.CreatedAt, &m.UpdatedAt)
	if err != nil {
		return nil, err
	}
	m.Attempts = int(attempts)
	m.NextAttemptAt = utc(m.NextAttemptAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// LogMessage appends m to the log and sets its ID and timestamps. An empty provider id or
// idempotency key is stored as none; a repeated (provider, provider id) or idempotency key
// is ECONFLICT, and an outbound message without an idempotency key EINVALID.
func (s *Store) LogMessage(ctx context.Context, m *care.Message) error {
	now := s.now()
	err := s.pool.QueryRow(ctx, `
		INSERT INTO message (direction, channel, provider, provider_id, phone, person_id, body, status,
			idempotency_key, attempts, next_attempt_at, error_code, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
		RETURNING id`,
		string(m.Direction), string(m.Channel), string(m.Provider), nullText(m.ProviderID), m.Phone.E164(),
		nullID(m.PersonID), m.Body, string(m.Status), nullText(m.IdempotencyKey), int32(m.Attempts),
		m.NextAttemptAt, m.ErrorCode, now,
	).Scan(&m.ID)
	if err != nil {
		return mapError(err, "log message")
	}
	m.CreatedAt, m.UpdatedAt = now, now
	return nil
}

// Message returns the message with id.
func (s *Store) Message(ctx context.Context, id care.MessageID) (*care.Message, error) {
	m, err := scanMessage(s.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM message WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load message %d", id)
	}
	return m, nil
}

// MessageByProviderID returns the message the provider knows as providerID.
func (s *Store) MessageByProviderID(ctx context.Context, p care.Provider, providerID string) (*care.Message, error) {
	m, err := scanMessage(s.pool.QueryRow(ctx,
		`SELECT `+messageColumns+` FROM message WHERE provider = $1 AND provider_id = $2`, string(p), providerID))
	if err != nil {
		return nil, mapError(err, "load %s message by provider id", p)
	}
	return m, nil
}

// SetMessageStatus records a message's new status and the provider's error code ("" for
// none), and sets its UpdatedAt.
func (s *Store) SetMessageStatus(ctx context.Context, id care.MessageID, st care.MessageStatus, errorCode string) error {
	if !st.Valid() {
		return mapError(care.FieldError("status", "unknown message status %q", st), "set status of message %d", id)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE message SET status = $2, error_code = $3, updated_at = $4 WHERE id = $1`,
		int64(id), string(st), errorCode, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = notFound()
	}
	if err != nil {
		return mapError(err, "set status of message %d", id)
	}
	return nil
}
