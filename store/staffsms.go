package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// SendSMSAs queues what staff member st wrote to a person as an outbound SMS of the normal
// path (the workers send it like any other), with st in the message log, and audits it, in
// one transaction. The person is read under a share lock, so a concurrent opt-out either
// comes first (and the SMS is refused) or after (and the sender's claim skips it).
func (s *Store) SendSMSAs(ctx context.Context, st *care.Staff, m care.StaffSMS, compose care.SMSComposer) (*care.Message, error) {
	if err := m.Validate(); err != nil {
		return nil, mapError(err, "send SMS to person %d", m.PersonID)
	}
	key, err := staffSMSKey(st.ID, m)
	if err != nil {
		return nil, mapError(err, "send SMS to person %d", m.PersonID)
	}
	now := s.now()
	var out *care.Message
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		p, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE id = $1 FOR SHARE`, int64(m.PersonID)))
		if err != nil {
			return err
		}
		if !st.Sees(p.Commune) {
			return notFound()
		}
		if m.Key != "" {
			// A repeated request: the message the first one wrote, nothing new.
			if out, err = staffSMSByKey(ctx, tx, key); err == nil || !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		if p.Status == care.PersonOptedOut {
			return care.Errorf(care.ECONFLICT, "the person opted out of messages")
		}
		body, provider, err := compose(p, m.Text)
		if err != nil {
			return err
		}
		out = nil
		b := &pgx.Batch{}
		outbound{msgs: []care.Outgoing{{Key: key, PersonID: p.ID, Phone: p.Phone, Channel: care.ChannelSMS, Provider: provider,
			Body: body}}, now: now, staff: st.ID}.queue(b, func(m *care.Message, _ bool) error {
			out = m
			return nil
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if out == nil { // the same key, committed meanwhile
			out, err = staffSMSByKey(ctx, tx, key)
			return err
		}
		return auditEntry{by: st.ID, action: care.AuditMessageSend, entity: "message", id: int64(out.ID),
			detail: map[string]any{"person_id": int64(p.ID), "channel": care.ChannelSMS}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return nil, mapError(err, "send SMS to person %d", m.PersonID)
	}
	return out, nil
}

// staffSMSKey is the idempotency key of a staff member's SMS: from the request's key when
// it has one (scoped to the staff member and the person), random otherwise.
func staffSMSKey(by care.ManagerID, m care.StaffSMS) (string, error) {
	if m.Key != "" {
		return fmt.Sprintf("staff:%d:%d:%s", by, m.PersonID, m.Key), nil
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "staff:" + hex.EncodeToString(b), nil
}

func staffSMSByKey(ctx context.Context, q db, key string) (*care.Message, error) {
	return scanMessage(q.QueryRow(ctx, `SELECT `+messageColumns+` FROM message
		WHERE (id, created_at) = (SELECT message_id, created_at FROM message_key WHERE idempotency_key = $1)`, key))
}
