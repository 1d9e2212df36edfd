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
		outbound{msgs: out, now: now, claim: claim}.queued(b, &queued)
		return nil
	}
	if err := s.twoTrips(ctx, read, write); err != nil {
		return nil, mapError(err, "run reminders from %d", from)
	}
	return queued, nil
}

// queueClaimed writes o to the outbox as outbound does, in one round trip on q.
func queueClaimed(ctx context.Context, q batcher, o care.Outgoing, now time.Time, claim care.Claim) (care.QueuedMessage, error) {
	var queued []care.QueuedMessage
	// A message another transaction committed under the same key while this statement ran
	// is not in its snapshot: the next statement sees it.
	for try := 0; try < 2 && len(queued) == 0; try++ {
		b := &pgx.Batch{}
		outbound{msgs: []care.Outgoing{o}, now: now, claim: claim}.queued(b, &queued)
		if err := q.SendBatch(ctx, b).Close(); err != nil {
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
