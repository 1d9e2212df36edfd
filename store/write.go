package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// The domain writes that more than one door makes (a dialog turn's commit, the API, the
// console, the workers), each as one value that queues its statement on a batch, so the SQL
// of each lives here once: outbound messages, a new escalation, an audit entry, cancelled
// appointments and reminders, a case's new manager, stopped check-ins, resolved
// escalations, a cleared help mark (and an escalation's acknowledgement, escalation.go). A
// writer that needs the write on its own sends a batch of one, or execs it.

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

// openEscalationsFrom writes new escalations, open at level 0 and not notified yet, from
// rows, a query giving (reason, urgent, person_id, case_id, commune, help_request_id,
// checkin_id, appointment_id, next_level_at, at), typed; absent references NULL. One that a
// unique index says exists already (one per check-in and reason, one per help request, one
// open "unreachable" per person) is not written. The one INSERT of an escalation: the turn's,
// the workers' and a help request's (fileHelpSQL) go through it.
func openEscalationsFrom(rows string) string {
	return `
	INSERT INTO escalation (reason, urgent, person_id, case_id, commune, help_request_id, checkin_id,
		appointment_id, next_level_at, created_at, updated_at, level, status, notified)
	SELECT r.reason, r.urgent, r.person_id, r.case_id, r.commune, r.help_request_id, r.checkin_id,
		r.appointment_id, r.next_level_at, r.at, r.at, 0, 'open', false
	FROM (` + rows + `) AS r(reason, urgent, person_id, case_id, commune, help_request_id, checkin_id,
		appointment_id, next_level_at, at)
	ON CONFLICT DO NOTHING`
}

// openEscalationSQL writes one new escalation (newEscalation) and returns its id; no row when
// it exists already.
var openEscalationSQL = openEscalationsFrom(`VALUES ($1::text, $2::boolean, NULLIF($3::bigint, 0),
	NULLIF($4::bigint, 0), NULLIF($5::text, ''), NULLIF($6::bigint, 0), NULLIF($7::bigint, 0), NULLIF($8::bigint, 0),
	$9::timestamptz, $10::timestamptz)`) + `
	RETURNING id`

// newEscalation is an escalation opening: e's reason, urgency, references and first
// deadline, written at now by openEscalationSQL.
type newEscalation struct {
	e   *care.Escalation
	now time.Time
}

// queue queues n on b; opened, when set, receives the new escalation's id, or 0 when it
// existed already.
func (n newEscalation) queue(b *pgx.Batch, opened func(care.EscalationID)) {
	q := b.Queue(openEscalationSQL, n.args()...)
	if opened == nil {
		return
	}
	q.Query(func(rows pgx.Rows) error {
		var id care.EscalationID
		for rows.Next() {
			if err := rows.Scan(&id); err != nil {
				return err
			}
			n.opened(id)
		}
		opened(id)
		return rows.Err()
	})
}

func (n newEscalation) args() []any {
	e := n.e
	return []any{string(e.Reason), e.Urgent, int64(e.PersonID), int64(e.CaseID), string(e.Commune), int64(e.HelpRequestID),
		int64(e.CheckInID), int64(e.AppointmentID), e.NextLevelAt, n.now}
}

// opened sets what writing e set on the row.
func (n newEscalation) opened(id care.EscalationID) {
	n.e.ID, n.e.Level, n.e.Status, n.e.CreatedAt, n.e.UpdatedAt = id, care.LevelCaseManager, care.EscalationOpen, n.now, n.now
}

// auditInsert heads every write of audit entries; the rows follow, (actor_id, action,
// entity, entity_id, detail, at) with a NULL actor for the system: auditEntry's one row, or
// a query in a statement whose change the entries record (ackSQL, a turn's registration).
const auditInsert = `
	INSERT INTO audit_log (actor_id, action, entity, entity_id, detail, at) `

// auditSQL writes one audit entry.
const auditSQL = auditInsert + `VALUES ($1, $2, $3, $4, $5, $6)`

// auditEntry records who did what to which record, written in the transaction of the
// change it records, so both commit or roll back together. Every staff action has one,
// whatever the door. by 0 is the system; detail holds identifiers and enumerated values
// only, never free text.
type auditEntry struct {
	by     care.ManagerID
	action string
	entity string
	id     int64 // 0 for none
	detail map[string]any
	at     time.Time
}

// queue queues a on b, which must be sent in the change's transaction.
func (a auditEntry) queue(b *pgx.Batch) { b.Queue(auditSQL, a.args()...) }

// exec writes a through q, the change's transaction.
func (a auditEntry) exec(ctx context.Context, q db) error {
	if _, err := q.Exec(ctx, auditSQL, a.args()...); err != nil {
		return mapError(err, "audit %s %s %d", a.action, a.entity, a.id)
	}
	return nil
}

func (a auditEntry) args() []any {
	detail := a.detail
	if detail == nil {
		detail = map[string]any{}
	}
	return []any{nullID(a.by), a.action, a.entity, nullID(a.id), detail, a.at}
}

// checkinSQL writes a pending check-in of schedule $1 (case $2, person $3) due at $4,
// retried at $5, missed at $6: the one INSERT of a check-in. A schedule's check-in at that
// time exists already: nothing is written.
const checkinSQL = `
	INSERT INTO checkin (schedule_id, case_id, person_id, due_at, retry_at, deadline_at)
	VALUES ($1, $2, $3, $4, $5, $6)
	ON CONFLICT (schedule_id, due_at) DO NOTHING`

// cancelRemindersOf cancels the pending reminders of the appointments a that which, a
// condition on a over $2, picks: with $1 only the stale ones (of a version older than their
// appointment's, or of an appointment no longer scheduled), else all of them. The one write
// that cancels reminders: moving, cancelling, closing the case, the scheduler's sync and its
// sweep all go through it, reading each appointment as the statements before it left it.
// The appointments are picked by an indexed column, never an OR of two.
func cancelRemindersOf(which string) string {
	return `
	UPDATE reminder r SET status = 'cancelled'
	FROM appointment a
	WHERE a.id = r.appointment_id AND ` + which + `
	  AND r.status = 'pending' AND NOT ($1 AND a.status = 'scheduled' AND r.version = a.version)`
}

var (
	cancelRemindersSQL     = cancelRemindersOf(`a.id = ANY($2::bigint[])`)
	cancelCaseRemindersSQL = cancelRemindersOf(`a.case_id = $2`)
)

// reminderCancel is a cancellation of pending reminders by cancelRemindersOf.
type reminderCancel struct {
	ids   []int64     // of these appointments,
	kase  care.CaseID // or, when set, of every appointment of this case
	stale bool        // only the stale ones
}

// staleReminders cancels the stale pending reminders of appointments ids.
func staleReminders(ids ...int64) reminderCancel { return reminderCancel{ids: ids, stale: true} }

func (r reminderCancel) sql() (string, []any) {
	if r.kase != 0 {
		return cancelCaseRemindersSQL, []any{r.stale, int64(r.kase)}
	}
	return cancelRemindersSQL, []any{r.stale, r.ids}
}

// queue queues r on b.
func (r reminderCancel) queue(b *pgx.Batch) {
	sql, args := r.sql()
	b.Queue(sql, args...)
}

// exec writes r through q.
func (r reminderCancel) exec(ctx context.Context, q db) error {
	sql, args := r.sql()
	_, err := q.Exec(ctx, sql, args...)
	return err
}

// cancelAppointmentsOf cancels at $2 the scheduled appointments that which, a condition over
// $1, picks.
func cancelAppointmentsOf(which string) string {
	return `UPDATE appointment SET status = 'cancelled', updated_at = $2 WHERE status = 'scheduled' AND ` + which
}

var (
	cancelAppointmentSQL      = cancelAppointmentsOf(`id = $1`)
	cancelCaseAppointmentsSQL = cancelAppointmentsOf(`case_id = $1`)
)

// appointmentCancel cancels scheduled appointments and then their pending reminders: one
// appointment (CancelAppointmentAs), or those of a case being closed (CloseCaseAs).
type appointmentCancel struct {
	id   care.AppointmentID
	kase care.CaseID // when set, every appointment of this case instead
	now  time.Time
}

// queue queues c on b: the appointments first, so the reminders' statement sees them
// cancelled.
func (c appointmentCancel) queue(b *pgx.Batch) {
	if c.kase != 0 {
		b.Queue(cancelCaseAppointmentsSQL, int64(c.kase), c.now)
		reminderCancel{kase: c.kase, stale: true}.queue(b)
		return
	}
	b.Queue(cancelAppointmentSQL, int64(c.id), c.now)
	staleReminders(int64(c.id)).queue(b)
}

// newManagerSQL gives case $1 case manager $2 at $3, and commune $4 unless it is empty, and
// has its open escalations told again where the rung's people changed: the new manager must
// hear of what the old one was told. A reassignment changes the case manager's rung (level
// 0); a transfer changes the whole ladder, so every open escalation is told again at its
// rung in the new commune, and the case's unresolved escalations move there too, so its
// staff see them in their inbox and may acknowledge them. The one write of a case's
// manager: reassigning and transferring go through it.
const newManagerSQL = `
	WITH c AS (UPDATE care_case SET manager_id = $2, commune = COALESCE(NULLIF($4, ''), commune), updated_at = $3
		WHERE id = $1)
	UPDATE escalation SET notified = notified AND NOT (status = 'open' AND (level = 0 OR $4 <> '')),
		commune = COALESCE(NULLIF($4, ''), commune), updated_at = $3
	WHERE case_id = $1 AND status <> 'resolved'
		AND ((status = 'open' AND level = 0 AND notified) OR $4 <> '')`

// newManager is case kase going to case manager to (and to commune, when set) at now.
type newManager struct {
	kase    care.CaseID
	to      care.ManagerID
	commune care.CommuneCode // "": the case stays in its commune
	now     time.Time
}

func (n newManager) args() []any {
	return []any{int64(n.kase), int64(n.to), n.now, string(n.commune)}
}

// queue queues n on b.
func (n newManager) queue(b *pgx.Batch) { b.Queue(newManagerSQL, n.args()...) }

// exec writes n through q.
func (n newManager) exec(ctx context.Context, q db) error {
	_, err := q.Exec(ctx, newManagerSQL, n.args()...)
	return err
}

// stopCheckInsOf stops the active check-in schedules that schedules picks and cancels the
// check-ins that checkins picks (conditions over $1) whose status is one of $2. The one
// write that stops check-ins; the doors differ on purpose in which statuses they cancel
// (unsentCheckIns, unansweredCheckIns).
func stopCheckInsOf(schedules, checkins string) string {
	return `
	WITH s AS (UPDATE checkin_schedule SET active = false WHERE active AND ` + schedules + `)
	UPDATE checkin SET status = 'cancelled' WHERE status = ANY($2::text[]) AND ` + checkins
}

var (
	stopScheduleSQL     = stopCheckInsOf(`id = $1`, `schedule_id = $1`)
	stopCaseCheckInsSQL = stopCheckInsOf(`case_id = $1`, `case_id = $1`)
)

// Which check-ins a stop cancels. Deactivating a schedule stops the asking, not a question
// already asked: a check-in sent stays open to its answer and, unanswered by its deadline,
// escalates as any other (the person was asked and did not answer). Closing the case ends
// the case manager's duty to follow up, so nothing is left to answer or escalate.
var (
	unsentCheckIns     = []string{string(care.CheckInPending)}
	unansweredCheckIns = []string{string(care.CheckInPending), string(care.CheckInSent), string(care.CheckInRetried)}
)

// checkInStop stops check-ins by stopCheckInsOf: schedule id's, or every schedule's of case
// kase, cancelling those whose status is in statuses.
type checkInStop struct {
	schedule care.ScheduleID
	kase     care.CaseID // when set, the case's schedules instead
	statuses []string
}

// queue queues c on b.
func (c checkInStop) queue(b *pgx.Batch) {
	if c.kase != 0 {
		b.Queue(stopCaseCheckInsSQL, int64(c.kase), c.statuses)
		return
	}
	b.Queue(stopScheduleSQL, int64(c.schedule), c.statuses)
}

// resolveEscalationsOf resolves the open or acknowledged escalations that which (a condition
// over $1) picks, as staff member $2 at $3 with outcome $4 ($5 stamps the rows), and writes
// each one's audit entry in the same statement: the one resolution of escalations, whatever
// the door (one by a staff member, or a closing case's check-in escalations). It returns
// the escalations resolved; none when none was open.
func resolveEscalationsOf(which string) string {
	return `
	WITH resolved AS (
		UPDATE escalation SET status = 'resolved', resolved_by = $2, resolved_at = $3, outcome = $4,
			next_level_at = NULL, updated_at = $5
		WHERE status IN ('open', 'acknowledged') AND ` + which + `
		RETURNING *),
	audited AS (` + auditInsert + `
		SELECT NULLIF($2::bigint, 0), '` + care.AuditEscalationResolve + `', 'escalation', id, '{}'::jsonb, $5 FROM resolved)
	SELECT ` + escalationColumns + ` FROM resolved`
}

var (
	resolveSQL           = resolveEscalationsOf(`id = $1`)
	resolveCaseMissedSQL = resolveEscalationsOf(`case_id = $1 AND reason = '` + string(care.ReasonCheckInMissed) + `'`)
)

// resolution resolves escalation id, or the check-in escalations of case kase, by
// resolveEscalationsOf.
type resolution struct {
	id      care.EscalationID
	kase    care.CaseID // when set, the case's open check-in escalations instead
	by      care.ManagerID
	outcome string
	at, now time.Time
}

// queue queues r on b; scan, when set, reads the escalation resolved (pgx.ErrNoRows when it
// was not open or acknowledged).
func (r resolution) queue(b *pgx.Batch, scan func(pgx.Row) error) {
	sql, key := resolveSQL, int64(r.id)
	if r.kase != 0 {
		sql, key = resolveCaseMissedSQL, int64(r.kase)
	}
	q := b.Queue(sql, key, int64(r.by), r.at, r.outcome, r.now)
	if scan != nil {
		q.QueryRow(scan)
	}
}

// clearHelpMarkSQL clears dialog session $1's mark of a help request begun, returning true
// when it was set: whoever clears it deals with the attempt, once (the help flow filing it,
// or the workers reporting it unfinished). Ending a session (turnFinishSessionSQL) drops
// the mark too, as part of ending it; the attempt goes on in the session that resumed it.
const clearHelpMarkSQL = `
	UPDATE dialog_session SET help_started_at = NULL
	WHERE id = $1 AND help_started_at IS NOT NULL RETURNING true`
