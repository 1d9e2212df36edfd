package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/caseline/caseline/care"
)

// turnLockSQL locks the (channel, key) dialog session: a common turn's first statement. A row
// lock, no new row version (the turn's commit writes the one new version). By (channel, key)
// alone, so it takes the unique index; the caller checks the phone.
const turnLockSQL = `
SELECT id, phone, flow, state, vars, language, version, updated_at FROM dialog_session
WHERE channel = $1 AND key = $2
FOR UPDATE`

// turnNewLanguageSQL is a new session's language: the person's, else the one the phone
// ($3) chose last, else Vietnamese.
const turnNewLanguageSQL = `COALESCE(
  (SELECT language FROM person WHERE phone = $3),
  (SELECT language FROM dialog_session WHERE phone = $3 ORDER BY updated_at DESC LIMIT 1),
  'vi')`

// turnDialSQL creates the session of a USSD dial, whose id is new by definition; an id met
// before returns nothing and the turn goes the turnSessionSQL way.
const turnDialSQL = `
INSERT INTO dialog_session (channel, key, phone, language, updated_at)
VALUES ($1, $2, $3, ` + turnNewLanguageSQL + `, $4)
ON CONFLICT (channel, key) DO NOTHING
RETURNING id, flow, state, vars, language, version, updated_at, true`

// turnSessionSQL locks the (channel, key) dialog session, creating it first if needed, in one
// statement: for a turn whose turnLockSQL or turnDialSQL found what it did not expect. A
// session that exists is locked as turnLockSQL does; only when there is none does the INSERT
// run. Its ON CONFLICT DO UPDATE takes the row lock of a session a concurrent turn created
// meanwhile and returns the newest committed version, so concurrent turns of one session
// queue here either way. updated_at comes back as it was, which tells how long the session
// sat idle. The lookup is by (channel, key) alone, so it takes the unique index: by phone too,
// the planner may pick the phone index, whose entries for a busy number are many. A session
// found under another phone goes the INSERT way too, whose DO UPDATE moves the row, already
// locked, to this phone.
const turnSessionSQL = `
WITH found AS (
  SELECT id, phone, flow, state, vars, language, version, updated_at FROM dialog_session
  WHERE channel = $1 AND key = $2
  FOR UPDATE),
made AS (
  INSERT INTO dialog_session (channel, key, phone, language, updated_at)
  SELECT $1, $2, $3, ` + turnNewLanguageSQL + `, $4
  WHERE NOT EXISTS (SELECT FROM found WHERE phone = $3)
  ON CONFLICT (channel, key) DO UPDATE SET phone = EXCLUDED.phone
  RETURNING id, flow, state, vars, language, version, updated_at, (xmax = 0) AS created)
SELECT id, flow, state, vars, language, version, updated_at, false FROM found WHERE phone = $3
UNION ALL
SELECT id, flow, state, vars, language, version, updated_at, created FROM made`

// turnSaveSQL stores a session's state after a turn and logs the turn's two messages, the
// inbound one and the reply, in one statement: one statement's overhead instead of three.
// $1–$7 and $19 are the session's, $8–$18 the messages'. $19 says a help request is pending
// in the session (Outcome.HelpPending): help_started_at keeps when it began, and stays NULL
// (unchanged, so the update stays HOT) for every other turn.
const turnSaveSQL = `
WITH saved AS (
  UPDATE dialog_session SET flow = $2, state = $3, vars = $4, language = $5, version = $6, updated_at = $7,
    help_started_at = CASE WHEN $19::boolean THEN COALESCE(help_started_at, $7) END
  WHERE id = $1)
` + messageInsert + `
VALUES ('in', $8, $9, NULLIF($10, ''), $11, $12, $13, 'received', NULL, NULL, NULL, $7, $7),
       ('out', $8, $9, NULL, $11, $12, $14, $15, $16, $17, $18, $7, $7)`

// messageInsert heads a write of messages as they are (an inbound message and the reply of a
// turn, turnSaveSQL; a test's fixture, InsertMessage), the values following: (direction,
// channel, provider, provider_id, phone, person_id, body, status, idempotency_key, reply,
// next_attempt_at, created_at, updated_at). The outbox's writes go through outboundSQL.
const messageInsert = `
INSERT INTO message (direction, channel, provider, provider_id, phone, person_id, body, status, idempotency_key,
                     reply, next_attempt_at, created_at, updated_at)`

// turnFinishSessionSQL ends a session that another one resumed (which carries its pending
// help request on, if any).
const turnFinishSessionSQL = `UPDATE dialog_session SET flow = '', state = '', help_started_at = NULL, updated_at = $2 WHERE id = $1`

// DialogSession returns the dialog session of (channel, key).
func (s *Store) DialogSession(ctx context.Context, channel care.Channel, key string) (*care.DialogSession, error) {
	var (
		d    care.DialogSession
		vars []byte
	)
	err := s.pool.QueryRow(ctx, `
SELECT id, channel, key, phone, flow, state, vars, language, version, updated_at
FROM dialog_session WHERE channel = $1 AND key = $2`, channel, key).Scan(
		&d.ID, &d.Channel, &d.Key, &d.Phone, &d.Flow, &d.State, &vars, &d.Language, &d.Version, &d.UpdatedAt)
	if err != nil {
		return nil, mapError(err, "load dialog session")
	}
	if err := json.Unmarshal(vars, &d.Vars); err != nil {
		return nil, fmt.Errorf("load dialog session: vars: %w", err)
	}
	return &d, nil
}

// turnVars decodes a session's vars column.
func turnVars(b []byte) (map[string]string, error) {
	vars := map[string]string{}
	if len(b) == 0 {
		return vars, nil
	}
	if err := json.Unmarshal(b, &vars); err != nil {
		return nil, fmt.Errorf("session vars: %w", err)
	}
	return vars, nil
}
