package store

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// The Android SIM gateway (cht-gateway) polls for its outbound SMS. These methods are its side of
// the outbox: they touch only outbound rows with provider 'android', which the workers' sender
// leaves queued for the phone instead of calling a provider.

// maxReasonLen bounds the failure reason a phone reports, stored as the row's error code.
const maxReasonLen = 200

// AndroidMessageID is the id under which a message row is handed to the Android gateway: a
// UUID-shaped digest of the row id, stable across offers, so the app's status updates find the
// row by provider id. HandOutAndroid computes the same value in SQL.
func AndroidMessageID(id care.MessageID) string {
	sum := md5.Sum([]byte(androidIDPrefix + strconv.FormatInt(int64(id), 10)))
	h := hex.EncodeToString(sum[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// androidIDPrefix salts AndroidMessageID; the SQL below must use the same text.
const androidIDPrefix = "caseline-android:"

// deliveryRank orders the statuses a phone reports so that a late or repeated report never moves
// a message backwards: queued < sending (PENDING) < sent < delivered = failed. Statuses a phone
// cannot report rank -1.
func deliveryRank(s care.MessageStatus) int {
	switch s {
	case care.MsgQueued:
		return 0
	case care.MsgSending:
		return 1
	case care.MsgSent:
		return 2
	case care.MsgDelivered, care.MsgFailed:
		return 3
	}
	return -1
}

// UpdateAndroidStatus records the Android gateway's status reports. Each update names a message
// by ProviderID and carries its new Status (sending, sent, delivered or failed) and, for failed,
// the phone's reason in ErrorCode; other fields are ignored. Only outbound rows with provider
// 'android' change, and only forwards (a repeated or late report is harmless); unknown ids are
// ignored. It returns how many rows changed, in one round trip.
func (s *Store) UpdateAndroidStatus(ctx context.Context, updates []care.Message) (int, error) {
	best := map[string]care.Message{}
	for _, u := range updates {
		if u.ProviderID == "" || !care.TextOK(u.ProviderID) || deliveryRank(u.Status) < 1 {
			continue
		}
		if cur, ok := best[u.ProviderID]; !ok || deliveryRank(u.Status) > deliveryRank(cur.Status) {
			best[u.ProviderID] = u
		}
	}
	if len(best) == 0 {
		return 0, nil
	}
	ids := make([]string, 0, len(best))
	statuses := make([]string, 0, len(best))
	reasons := make([]string, 0, len(best))
	ranks := make([]int32, 0, len(best))
	for id, u := range best {
		reason := ""
		if u.Status == care.MsgFailed {
			reason = truncate(care.CleanText(u.ErrorCode), maxReasonLen)
		}
		ids, statuses, reasons = append(ids, id), append(statuses, string(u.Status)), append(reasons, reason)
		ranks = append(ranks, int32(deliveryRank(u.Status)))
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE message m
		SET status = u.status,
			error_code = CASE WHEN u.status = 'failed' THEN u.reason ELSE m.error_code END,
			updated_at = $5
		FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS u(provider_id, status, reason, rank)
		WHERE m.provider = 'android' AND m.direction = 'out' AND m.provider_id = u.provider_id
			AND u.rank > CASE m.status WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END`,
		ids, statuses, reasons, ranks, s.now())
	if err != nil {
		return 0, mapError(err, "update android message status")
	}
	return int(tag.RowsAffected()), nil
}

// HandOutAndroid queues messages for the Android gateway and hands out the ones waiting for it,
// in one round trip and one transaction. Each queued message must be an outbound SMS with
// provider 'android', status queued and an idempotency key; one whose key exists already is
// skipped, so queueing again is harmless. A message without a person is linked to the person
// registered with its phone, if any.
//
// It then returns up to limit outbound android SMS, oldest first, that are queued, due
// (next_attempt_at passed or unset) and not offered within lease, and marks them offered now:
// each gets its stable AndroidMessageID as provider id and one more attempt. Concurrent polls
// never receive the same row.
func (s *Store) HandOutAndroid(ctx context.Context, queue []care.Message, lease time.Duration, limit int) ([]care.Message, error) {
	if limit <= 0 || lease <= 0 {
		return nil, mapError(care.Errorf(care.EINVALID, "limit and lease must be positive"), "hand out android messages")
	}
	now := s.now()
	b := &pgx.Batch{}
	if len(queue) > 0 {
		msgs := make([]care.Outgoing, len(queue))
		for i, m := range queue {
			if m.Direction != care.Outbound || m.Channel != care.ChannelSMS || m.Provider != care.ProviderAndroid ||
				m.Status != care.MsgQueued || m.IdempotencyKey == "" {
				return nil, mapError(care.FieldError("message", "not a queued outbound android SMS with an idempotency key"),
					"queue android message")
			}
			msgs[i] = care.Outgoing{Key: m.IdempotencyKey, PersonID: m.PersonID, Phone: m.Phone, Channel: care.ChannelSMS,
				Provider: care.ProviderAndroid, Body: m.Body}
		}
		// A key already kept writes nothing.
		outbound{msgs: msgs, now: now, link: true}.queue(b, nil)
	}
	b.Queue(`
		WITH due AS (
			SELECT id AS due_id FROM message
			WHERE direction = 'out' AND provider = 'android' AND channel = 'sms' AND status = 'queued'
				AND (handed_out_at IS NULL OR handed_out_at <= $2)
				AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
			ORDER BY created_at, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE message m
		SET handed_out_at = $1, attempts = m.attempts + 1, updated_at = $1,
			provider_id = COALESCE(m.provider_id, md5('`+androidIDPrefix+`' || m.id)::uuid::text)
		FROM due WHERE m.id = due.due_id
		RETURNING `+messageColumns,
		now, now.Add(-lease), int32(limit))

	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	if len(queue) > 0 {
		if _, err := br.Exec(); err != nil {
			return nil, mapError(err, "queue android messages")
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, mapError(err, "hand out android messages")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.Message, error) {
		m, err := scanMessage(row)
		if err != nil {
			return care.Message{}, err
		}
		return *m, nil
	})
	if err != nil {
		return nil, mapError(err, "hand out android messages")
	}
	if err := br.Close(); err != nil {
		return nil, mapError(err, "hand out android messages")
	}
	slices.SortFunc(out, func(a, b care.Message) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
