package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// messageColumns is what scanMessage reads, in its order; absent values are zero.
const messageColumns = `id, direction, channel, provider, COALESCE(provider_id, ''), phone, COALESCE(person_id, 0),
	body, status, COALESCE(idempotency_key, ''), attempts, next_attempt_at, error_code, COALESCE(staff_id, 0), created_at, updated_at`

func scanMessage(row pgx.Row) (*care.Message, error) { return scanMessageAnd(row) }

// scanMessageAnd reads messageColumns, then the columns that follow into extra.
func scanMessageAnd(row pgx.Row, extra ...any) (*care.Message, error) {
	var m care.Message
	var attempts int32
	err := row.Scan(append([]any{&m.ID, &m.Direction, &m.Channel, &m.Provider, &m.ProviderID, &m.Phone, &m.PersonID,
		&m.Body, &m.Status, &m.IdempotencyKey, &attempts, &m.NextAttemptAt, &m.ErrorCode, &m.StaffID, &m.CreatedAt, &m.UpdatedAt},
		extra...)...)
	if err != nil {
		return nil, err
	}
	m.Attempts = int(attempts)
	m.NextAttemptAt = utc(m.NextAttemptAt)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// recordStatusSQL records a delivery receipt: the message moves forwards only; a move of an
// SMS to a person's own number counts for the number: a failure the provider blames on the
// number ($7) adds one to sms_failures and, at the limit ($8), marks it unreachable by SMS;
// a delivered SMS clears both. It returns whether the message exists, whether this receipt
// marked the number, and the person.
const recordStatusSQL = `
WITH target AS (
	SELECT id, status, channel, person_id, phone FROM message
	WHERE provider = $1 AND provider_id = $2 AND direction = 'out'
), changed AS (
	UPDATE message m SET status = $3,
		error_code = CASE WHEN $3 = 'failed' THEN $4 ELSE m.error_code END,
		updated_at = $6
	FROM target t
	WHERE m.id = t.id
		AND $5 > CASE t.status WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END
	RETURNING m.id
), counted AS (
	UPDATE person p SET
		sms_failures = CASE WHEN $3 = 'failed' THEN p.sms_failures + 1 ELSE 0 END,
		sms_unreachable_at = CASE WHEN $3 = 'failed' AND p.sms_failures + 1 >= $8::int
			THEN coalesce(p.sms_unreachable_at, $6) END,
		updated_at = $6
	FROM target t
	WHERE EXISTS (SELECT FROM changed) AND t.channel = 'sms' AND p.id = t.person_id AND p.phone = t.phone
		AND (($3 = 'failed' AND $7::boolean)
			OR ($3 = 'delivered' AND (p.sms_failures > 0 OR p.sms_unreachable_at IS NOT NULL)))
	RETURNING p.id, p.sms_failures
)
SELECT EXISTS (SELECT FROM target),
	coalesce((SELECT sms_failures = $8::int FROM counted WHERE $3 = 'failed'), false),
	coalesce((SELECT id FROM counted), 0)`

// RecordStatus records a provider's delivery receipt for the outbound message it knows by
// r.ProviderID. Receipts arrive late and out of order, so a status only moves forwards
// (sending, sent, then delivered or failed); a late or repeated one changes nothing. An id
// we never sent is ENOTFOUND. Escalations never wait on receipts: they are recorded, not
// relied on.
//
// A receipt on an SMS to a person's own number also counts for the number: a failure that
// r.NumberFailed blames on it adds to the failures in a row, a delivery clears them. At
// care.SMSFailureLimit the number is marked unreachable by SMS (SMSUnreachableAt: calls take
// over, except for deaf people) and, in the same transaction, an "unreachable" escalation
// opens for the case manager; marked reports that this receipt did it. One statement, one
// round trip, for every receipt but such a failure.
func (s *Store) RecordStatus(ctx context.Context, r care.Receipt) (marked bool, err error) {
	rank := deliveryRank(r.Status)
	if rank < 1 {
		return false, mapError(care.FieldError("status", "not a delivery status %q", r.Status), "record status of %s message", r.Provider)
	}
	now := s.now()
	run := func(q db) error {
		var found bool
		var pid care.PersonID
		err := q.QueryRow(ctx, recordStatusSQL, string(r.Provider), care.CleanText(r.ProviderID), string(r.Status), care.CleanText(r.ErrorCode), rank,
			now, r.NumberFailed, care.SMSFailureLimit).Scan(&found, &marked, &pid)
		switch {
		case err != nil:
			return err
		case !found:
			return notFound()
		case marked:
			_, err = openPersonEscalation(ctx, q, care.Escalation{Reason: care.ReasonUnreachable}, pid, now)
		}
		return err
	}
	if r.Status == care.MsgFailed && r.NumberFailed {
		err = s.inTx(ctx, func(tx pgx.Tx) error { return run(tx) })
	} else {
		err = run(s.pool)
	}
	if err != nil {
		return false, mapError(err, "record status of %s message", r.Provider)
	}
	return marked, nil
}
