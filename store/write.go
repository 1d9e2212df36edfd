package store

import (
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// The domain writes that more than one door makes (a dialog turn's commit, the API, the
// console, the workers), each as one value that queues its statement on a batch, so the SQL
// of each lives here once: outbound messages, a new escalation, an audit entry (and an
// escalation's acknowledgement, escalation.go). A writer that needs the write on its own
// sends a batch of one.

// outboundSQL writes messages to the outbox, queued and due at $7, each once per idempotency
// key: a message already written under its key is found and returned as it is, not written
// again (the key's row in message_key names the message, new or old: migration 00020).
// Those of the providers $8 are written claimed for their first attempt, leased until $9; $10
// is the staff member who wrote them (0: the system); with $11, a message without a person
// goes to the person registered with its phone, if any. It returns each message's
// messageColumns and whether this statement wrote it (xmax = 0 tells a key row it inserted).
const outboundSQL = `
	WITH v AS (
		SELECT nextval('message_id_seq') AS id, v.*
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) WITH ORDINALITY
			AS v(channel, provider, phone, person, body, key, n)
		ORDER BY v.n),
	k AS (
		INSERT INTO message_key (message_id, created_at, provider, idempotency_key)
		SELECT id, $7, provider, key FROM v
		ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL
			DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
		RETURNING message_id, created_at, xmax = 0 AS fresh),
	ins AS (
		INSERT INTO message (id, direction, channel, provider, phone, person_id, body, status,
			idempotency_key, attempts, next_attempt_at, staff_id, created_at, updated_at)
		SELECT v.id, 'out', v.channel, v.provider, v.phone,
			COALESCE(NULLIF(v.person, 0), CASE WHEN $11::boolean THEN (SELECT p.id FROM person p WHERE p.phone = v.phone) END),
			v.body,
			CASE WHEN v.provider = ANY($8) THEN 'sending' ELSE 'queued' END, v.key,
			CASE WHEN v.provider = ANY($8) THEN 1 ELSE 0 END,
			CASE WHEN v.provider = ANY($8) THEN $9::timestamptz ELSE $7 END, NULLIF($10::bigint, 0), $7, $7
		FROM v JOIN k ON k.message_id = v.id AND k.fresh
		ORDER BY v.n
		RETURNING ` + messageColumns + `, true)
	SELECT * FROM ins
	UNION ALL
	SELECT ` + messageColumns + `, false FROM message
	WHERE (id, created_at) IN (SELECT message_id, created_at FROM k WHERE NOT k.fresh)`

// outbound is messages written to the outbox by outboundSQL: the one write of an outbound
// message, whoever queues it (a turn, a staff member, the workers, the Android gateway's
// poll, the console's sign-in code).
type outbound struct {
	msgs  []care.Outgoing
	now   time.Time
	claim care.Claim     // whose messages are written claimed for their first attempt
	staff care.ManagerID // who wrote them; 0 for the system
	link  bool           // a message without a person goes to the person of its phone
}

// queue queues o on b (nothing when o has no message); scan, when set, reads each message
// written or found, and whether o wrote it.
func (o outbound) queue(b *pgx.Batch, scan func(m *care.Message, wrote bool) error) {
	if len(o.msgs) == 0 {
		return
	}
	q := b.Queue(outboundSQL, o.args()...)
	if scan == nil {
		return
	}
	q.Query(func(rows pgx.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var wrote bool
			m, err := scanMessageAnd(rows, &wrote)
			if err != nil {
				return err
			}
			if err := scan(m, wrote); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// ids queues o on b and appends each message's id to ids when b runs.
func (o outbound) ids(b *pgx.Batch, ids *[]care.MessageID) {
	o.queue(b, func(m *care.Message, _ bool) error {
		*ids = append(*ids, m.ID)
		return nil
	})
}

// queued queues o on b and appends to queued each message's id and provider, with the
// message itself when o wrote it claimed.
func (o outbound) queued(b *pgx.Batch, queued *[]care.QueuedMessage) {
	o.queue(b, func(m *care.Message, wrote bool) error {
		q := care.QueuedMessage{ID: m.ID, Provider: m.Provider}
		if wrote && m.Status == care.MsgSending {
			q.Claimed = m
		}
		*queued = append(*queued, q)
		return nil
	})
}

// args are outboundSQL's arguments. A key given twice is written once, the first time: one
// statement's ON CONFLICT DO UPDATE cannot meet its own row again.
func (o outbound) args() []any {
	var (
		channel, provider, phone, body, key []string
		person                              []int64
		seen                                = make(map[string]bool, len(o.msgs))
	)
	for _, m := range o.msgs {
		if seen[m.Key] {
			continue
		}
		seen[m.Key] = true
		channel, provider, phone, body, key = append(channel, string(m.Channel)), append(provider, string(m.Provider)),
			append(phone, m.Phone.E164()), append(body, m.Body), append(key, m.Key)
		person = append(person, int64(m.PersonID))
	}
	claimed := make([]string, len(o.claim.Providers))
	for i, p := range o.claim.Providers {
		claimed[i] = string(p)
	}
	return []any{channel, provider, phone, person, body, key, o.now, claimed, o.now.Add(o.claim.Lease), int64(o.staff), o.link}
}
