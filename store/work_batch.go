package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// The batch forms of the work methods: a backlog of reminders or messages is taken a batch
// of consecutive ids at a time, read in one statement, decided, and recorded in one
// statement per table and one commit, because on this hardware a durable commit per row is
// what caps throughput.

// reminderWorkCols lists what RunReminders reads, in reminderWorkDest's order ($2 is now):
// the last column is care.ReminderWork.Superseded.
func reminderWorkCols() string {
	gap := fmt.Sprintf("interval '%d seconds'", int64(care.ReminderGap/time.Second))
	return `r.id, r.appointment_id, r.version, r.offset_minutes, r.due_at, r.status, r.answer,
	a.id, a.case_id, a.person_id, a.at, a.place, a.purpose, a.status, a.version, a.created_at, a.updated_at,
	` + workPersonCols + `,
	EXISTS (SELECT 1 FROM reminder c
		WHERE c.appointment_id = r.appointment_id AND c.id <> r.id
		  AND ((c.version = r.version AND c.offset_minutes < r.offset_minutes AND c.status <> 'cancelled'
		        AND c.due_at < $2::timestamptz + ` + gap + `)
		    OR c.sent_at > $2::timestamptz - ` + gap + `))`
}

// reminderWorkDest returns scan targets for reminderWorkCols into w; call the returned
// function after the scan.
func reminderWorkDest(w *care.ReminderWork) ([]any, func()) {
	var offset int
	r, a := &w.Reminder, &w.Appointment
	pdest, setProfile := workPersonDest(&w.Person)
	dest := append([]any{&r.ID, &r.AppointmentID, &r.Version, &offset, &r.DueAt, &r.Status, &r.Answer,
		&a.ID, &a.CaseID, &a.PersonID, &a.At, &a.Place, &a.Purpose, &a.Status, &a.Version, &a.CreatedAt, &a.UpdatedAt},
		pdest...)
	dest = append(dest, &w.Superseded)
	return dest, func() {
		setProfile()
		r.Offset = time.Duration(offset) * time.Minute
	}
}

// RunReminders locks the due pending reminders of ids [from, from+span) that no other
// transaction holds, lets fn decide each, and records every decision and message in two
// round trips and one commit.
func (s *Store) RunReminders(ctx context.Context, from care.ReminderID, span int, now time.Time, claim care.Claim, fn func(care.ReminderWork) (care.ReminderResult, error)) ([]care.QueuedMessage, error) {
	var (
		works  []care.ReminderWork
		queued []care.QueuedMessage
	)
	read := func(b *pgx.Batch) {
		b.Queue(`
			SELECT `+reminderWorkCols()+`
			FROM reminder r
			JOIN appointment a ON a.id = r.appointment_id
			JOIN person p ON p.id = a.person_id
			WHERE r.id >= $1 AND r.id < $1 + $3::bigint AND r.status = 'pending' AND r.due_at <= $2
			ORDER BY r.id
			FOR UPDATE OF r SKIP LOCKED`, from, now, span).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var w care.ReminderWork
				dest, done := reminderWorkDest(&w)
				if err := rows.Scan(dest...); err != nil {
					return mapError(err, "load reminders from %d", from)
				}
				done()
				works = append(works, w)
			}
			return mapError(rows.Err(), "load reminders from %d", from)
		})
	}
	write := func(b *pgx.Batch) error {
		var (
			ids    []int64
			status []string
			sent   []bool
			due    []*time.Time
			out    []care.Outgoing
		)
		for _, w := range works {
			res, err := fn(w)
			if err != nil {
				return err
			}
			if res.Status != w.Reminder.Status || res.Sent || res.DueAt != nil {
				ids = append(ids, int64(w.Reminder.ID))
				status = append(status, string(res.Status))
				sent = append(sent, res.Sent)
				due = append(due, res.DueAt)
			}
			out = append(out, res.Messages...)
		}
		if len(ids) > 0 {
			b.Queue(`
				UPDATE reminder r SET status = v.status, sent_at = CASE WHEN v.sent THEN $5 ELSE r.sent_at END,
					due_at = coalesce(v.due, r.due_at)
				FROM unnest($1::bigint[], $2::text[], $3::bool[], $4::timestamptz[]) AS v(id, status, sent, due)
				WHERE r.id = v.id`, ids, status, sent, due, now)
		}
		batchOutboundAll(b, out, now, claim, &queued)
		return nil
	}
	if err := s.twoTrips(ctx, read, write); err != nil {
		return nil, mapError(err, "run reminders from %d", from)
	}
	return queued, nil
}

// outboundAllSQL writes many messages to the outbox as queueOutboundSQL writes one, those of
// the providers $8 claimed for their first attempt, leased until $9; xmax = 0 tells the
// rows it inserted from those found under their idempotency key.
const outboundAllSQL = `
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
			idempotency_key, attempts, next_attempt_at, created_at, updated_at)
		SELECT v.id, 'out', v.channel, v.provider, v.phone, NULLIF(v.person, 0), v.body,
			CASE WHEN v.provider = ANY($8) THEN 'sending' ELSE 'queued' END, v.key,
			CASE WHEN v.provider = ANY($8) THEN 1 ELSE 0 END,
			CASE WHEN v.provider = ANY($8) THEN $9::timestamptz ELSE $7 END, $7, $7
		FROM v JOIN k ON k.message_id = v.id AND k.fresh
		ORDER BY v.n
		RETURNING id, direction, channel, provider, phone, coalesce(person_id, 0), body, status,
			idempotency_key, attempts, next_attempt_at, error_code, created_at, updated_at, true)
	SELECT * FROM ins
	UNION ALL
	SELECT m.id, m.direction, m.channel, m.provider, m.phone, coalesce(m.person_id, 0), m.body, m.status,
		m.idempotency_key, m.attempts, m.next_attempt_at, m.error_code, m.created_at, m.updated_at, false
	FROM k JOIN message m ON m.id = k.message_id AND m.created_at = k.created_at
	WHERE NOT k.fresh`

// outboundAllArgs returns outboundAllSQL's arguments.
func outboundAllArgs(out []care.Outgoing, now time.Time, claim care.Claim) []any {
	n := len(out)
	channel, provider, phone, body, key := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	person := make([]int64, n)
	for i, o := range out {
		channel[i], provider[i], phone[i], body[i], key[i] = string(o.Channel), string(o.Provider), string(o.Phone), o.Body, o.Key
		person[i] = int64(o.PersonID)
	}
	claimed := make([]string, len(claim.Providers))
	for i, p := range claim.Providers {
		claimed[i] = string(p)
	}
	return []any{channel, provider, phone, person, body, key, now, claimed, now.Add(claim.Lease)}
}

// scanOutboundAll reads outboundAllSQL's rows into queued.
func scanOutboundAll(rows pgx.Rows, queued *[]care.QueuedMessage) error {
	defer rows.Close()
	for rows.Next() {
		var (
			m        care.Message
			inserted bool
		)
		err := rows.Scan(&m.ID, &m.Direction, &m.Channel, &m.Provider, &m.Phone, &m.PersonID, &m.Body, &m.Status,
			&m.IdempotencyKey, &m.Attempts, &m.NextAttemptAt, &m.ErrorCode, &m.CreatedAt, &m.UpdatedAt, &inserted)
		if err != nil {
			return err
		}
		q := care.QueuedMessage{ID: m.ID, Provider: m.Provider}
		if inserted && m.Status == care.MsgSending {
			q.Claimed = &m
		}
		*queued = append(*queued, q)
	}
	return rows.Err()
}

// batchOutboundAll queues on b one statement writing every message of out to the outbox, as
// queueOutboundSQL does each; those of claim's providers are written claimed for their first
// attempt. queued receives their ids and providers when b runs, and the claimed messages
// this statement wrote (not those found under their idempotency key).
func batchOutboundAll(b *pgx.Batch, out []care.Outgoing, now time.Time, claim care.Claim, queued *[]care.QueuedMessage) {
	if len(out) == 0 {
		return
	}
	b.Queue(outboundAllSQL, outboundAllArgs(out, now, claim)...).Query(func(rows pgx.Rows) error {
		return mapError(scanOutboundAll(rows, queued), "queue %d messages", len(out))
	})
}

// queueClaimed writes o to the outbox as batchOutboundAll does, in one round trip on q.
func queueClaimed(ctx context.Context, q db, o care.Outgoing, now time.Time, claim care.Claim) (care.QueuedMessage, error) {
	var queued []care.QueuedMessage
	// A message another transaction committed under the same key while this statement ran
	// is not in its snapshot: the next statement sees it.
	for try := 0; try < 2 && len(queued) == 0; try++ {
		rows, err := q.Query(ctx, outboundAllSQL, outboundAllArgs([]care.Outgoing{o}, now, claim)...)
		if err == nil {
			err = scanOutboundAll(rows, &queued)
		}
		if err != nil {
			return care.QueuedMessage{}, mapError(err, "queue message %s", o.Key)
		}
	}
	if len(queued) != 1 {
		return care.QueuedMessage{}, mapError(pgx.ErrNoRows, "queue message %s", o.Key)
	}
	return queued[0], nil
}

// claimStatus is the person status a claim of message m (joined to its person p) goes by:
// 'active' sends, anything else skips. A reply (its key "reply:…") answers a message the
// person sent, in a conversation they started, so it goes even to someone who opted out.
const claimStatus = `CASE WHEN m.idempotency_key LIKE 'reply:%' THEN 'active' ELSE coalesce(p.status, 'active') END`

// ClaimMessages marks up to limit due outbound messages of ids [from, from+span) 'sending'
// for one more attempt, leased until now+lease, in one statement: queued and due, or left
// 'sending' by a worker whose lease expired. Rows another transaction holds are skipped, so
// concurrent claims never wait on each other nor take the same row. Messages for a person
// who opted out or cannot be reached are marked skipped and not returned (claimStatus).
func (s *Store) ClaimMessages(ctx context.Context, from care.MessageID, span int, providers []care.Provider, now time.Time, lease time.Duration, limit int) ([]*care.Message, error) {
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = string(p)
	}
	rows, err := s.pool.Query(ctx, `
		WITH c AS (
			SELECT m.id, `+claimStatus+` AS person_status
			FROM message m LEFT JOIN person p ON p.id = m.person_id
			WHERE m.id >= $1 AND m.id < $1 + $2::bigint AND m.direction = 'out' AND m.provider = ANY($3)
			  AND ((m.status = 'queued' AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= $4))
			    OR (m.status = 'sending' AND m.next_attempt_at <= $4))
			ORDER BY m.id
			LIMIT $6
			FOR UPDATE OF m SKIP LOCKED)
		UPDATE message m SET
			status = CASE WHEN c.person_status = 'active' THEN 'sending' ELSE 'skipped' END,
			attempts = CASE WHEN c.person_status = 'active' THEN m.attempts + 1 ELSE m.attempts END,
			next_attempt_at = CASE WHEN c.person_status = 'active' THEN $5::timestamptz END,
			error_code = CASE WHEN c.person_status = 'active' THEN m.error_code ELSE 'person_' || c.person_status END,
			updated_at = $4
		FROM c WHERE m.id = c.id
		RETURNING m.id, m.direction, m.channel, m.provider, coalesce(m.provider_id, ''), m.phone, coalesce(m.person_id, 0),
			m.body, m.status, coalesce(m.idempotency_key, ''), m.attempts, m.next_attempt_at, m.error_code,
			m.created_at, m.updated_at`,
		from, span, names, now, now.Add(lease), limit)
	if err != nil {
		return nil, mapError(err, "claim messages from %d", from)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*care.Message, error) {
		m := &care.Message{}
		err := r.Scan(&m.ID, &m.Direction, &m.Channel, &m.Provider, &m.ProviderID, &m.Phone, &m.PersonID,
			&m.Body, &m.Status, &m.IdempotencyKey, &m.Attempts, &m.NextAttemptAt, &m.ErrorCode,
			&m.CreatedAt, &m.UpdatedAt)
		return m, err
	})
	if err != nil {
		return nil, mapError(err, "claim messages from %d", from)
	}
	out := all[:0]
	for _, m := range all {
		if m.Status == care.MsgSending {
			out = append(out, m)
		}
	}
	return out, nil
}

// RecordSentAll records the providers' ids of many claimed attempts in one statement; a
// message another attempt took over since is left alone.
func (s *Store) RecordSentAll(ctx context.Context, sent []care.Sent, now time.Time) error {
	if len(sent) == 0 {
		return nil
	}
	ids, attempts, pids := make([]int64, len(sent)), make([]int32, len(sent)), make([]string, len(sent))
	for i, x := range sent {
		ids[i], attempts[i], pids[i] = int64(x.ID), int32(x.Attempts), x.ProviderID
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE message m SET status = 'sent', provider_id = v.pid, error_code = '', next_attempt_at = NULL, updated_at = $4
		FROM unnest($1::bigint[], $2::int[], $3::text[]) AS v(id, attempts, pid)
		WHERE m.id = v.id AND m.attempts = v.attempts AND m.status = 'sending'`, ids, attempts, pids, now)
	return mapError(err, "record %d messages sent", len(sent))
}
