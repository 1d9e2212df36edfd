package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

var _ dialog.Turns = (*Store)(nil)

// turnFactsSQL loads, in one statement, what a common turn needs besides its session: the
// reply already given to this turn (deduplication), the caller as a person with their open
// case and its manager, the caller as a staff member, and the check-in and the reminder
// waiting for their answer. turnFactsDialSQL adds, for a USSD dial, a dropped USSD session to
// resume. Every join's plan is set up on each run whether it finds rows or not, so the resume
// lookup stays out of the common turn's statement; so does the message log's side of the
// reply (message_reply, migration 00023). Loop protection needs nothing here: the
// SMS session remembers the number's recent texts (flows/loop.go).
const turnFactsSQL = turnFactsSelect + `,
  NULL::bigint, NULL::text, NULL::text, NULL::jsonb, NULL::text, NULL::int, NULL::timestamptz` + turnFactsJoins

// turnFactsDialSQL is turnFactsSQL and the dropped session: $6 how recent, $7 the dial's key.
const turnFactsDialSQL = turnFactsSelect + `,
  pv.id, pv.flow, pv.state, pv.vars, pv.language, pv.version, pv.updated_at` + turnFactsJoins + `
LEFT JOIN LATERAL (
  SELECT s.id, s.flow, s.state, s.vars, s.language, s.version, s.updated_at FROM dialog_session s
  WHERE s.phone = $2 AND s.channel = 'ussd' AND s.key <> $7 AND s.flow <> '' AND s.updated_at >= $6
  ORDER BY s.updated_at DESC LIMIT 1) pv ON true`

const turnFactsSelect = `
SELECT
  (SELECT message_reply(k.message_id, k.created_at) FROM message_key k WHERE k.idempotency_key = $1),
  p.id, p.name, p.commune, p.language, p.diacritics, p.pin_hash, p.status,
  p.sex, p.birth_year, p.pin_failures, p.pin_locked_until,
  c.id, c.step, m.name, m.phone,
  sm.id, sm.name, COALESCE(sm.commune, ''), sm.language,
  COALESCE(ci.id, cg.kid), COALESCE(ci.asked_at, cg.asked_at),
  cg.pid, cg.name, cg.commune, cg.cid, cg.sex, cg.birth_year,
  rm.id, rm.appointment_id, rm.at, rm.place, rm.sent_at`

const turnFactsJoins = `
FROM (SELECT 1) AS one
LEFT JOIN person p ON p.phone = $2
LEFT JOIN care_case c ON c.person_id = p.id AND c.step <> 'closed'
LEFT JOIN case_manager m ON m.id = c.manager_id
LEFT JOIN case_manager sm ON sm.phone = $2 AND sm.active
LEFT JOIN LATERAL (
  SELECT k.id, CASE WHEN k.status = 'retried' THEN k.retry_at ELSE k.due_at END AS asked_at FROM checkin k
  WHERE k.person_id = p.id AND k.status IN ('pending', 'sent', 'retried')
    AND CASE WHEN $3::bigint > 0 THEN k.id = $3 ELSE k.status <> 'pending' END
  ORDER BY k.due_at DESC LIMIT 1) ci ON true
LEFT JOIN LATERAL (
  SELECT cp.id AS pid, cp.name, cp.commune, cp.sex, cp.birth_year, cc.id AS cid, k.id AS kid,
         CASE WHEN k.status = 'retried' THEN k.retry_at ELSE k.due_at END AS asked_at
  FROM person cp
  JOIN checkin k ON k.person_id = cp.id AND k.status IN ('sent', 'retried')
  LEFT JOIN care_case cc ON cc.person_id = cp.id AND cc.step <> 'closed'
  WHERE ci.id IS NULL AND $3::bigint = 0 AND cp.caregiver_phone = $2 AND cp.caregiver_consent
    AND cp.status = 'active'
  ORDER BY k.due_at DESC LIMIT 1) cg ON true
LEFT JOIN LATERAL (
  SELECT r.id, r.appointment_id, a.at, a.place, r.sent_at FROM appointment a JOIN reminder r ON r.appointment_id = a.id
  WHERE a.person_id = p.id AND a.status = 'scheduled' AND r.version = a.version AND r.answer = ''
    AND r.status <> 'cancelled'
    AND CASE WHEN $4::bigint > 0 THEN r.id = $4 ELSE r.sent_at IS NOT NULL AND a.at > $5 END
  ORDER BY r.sent_at DESC NULLS LAST LIMIT 1) rm ON true`

// BeginTurn opens a turn: BEGIN, the session lock and the facts go out as one pipelined batch,
// one round trip. A session met for the first time (a number's first SMS, a session found
// under another phone) takes one more, to create it.
func (s *Store) BeginTurn(ctx context.Context, req dialog.TurnRequest) (dialog.Turn, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin turn: acquire: %w", err)
	}
	t := &turn{conn: conn}
	if err := t.begin(ctx, req); err != nil {
		t.Rollback(ctx)
		return nil, mapError(err, "begin turn")
	}
	return t, nil
}

func (t *turn) begin(ctx context.Context, req dialog.TurnRequest) error {
	// A USSD dial brings a new session id: nothing to find, so insert it at once (an id met
	// before, a retried dial, goes the create-or-lock way below), and look for a dropped
	// session to resume.
	dial := !req.PreviousSince.IsZero()
	queueFacts := func(b *pgx.Batch) {
		if dial {
			b.Queue(turnFactsDialSQL, req.ReplyKey, req.Phone, int64(req.CheckIn), int64(req.Reminder), req.Now,
				req.PreviousSince, req.Key)
			return
		}
		b.Queue(turnFactsSQL, req.ReplyKey, req.Phone, int64(req.CheckIn), int64(req.Reminder), req.Now)
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if dial {
		b.Queue(turnDialSQL, req.Channel, req.Key, req.Phone, req.Now)
	} else {
		b.Queue(turnLockSQL, req.Channel, req.Key)
	}
	queueFacts(b)
	found, err := t.read(t.conn.SendBatch(ctx, b), func(br pgx.BatchResults) (bool, error) {
		if _, err := br.Exec(); err != nil {
			return false, err
		}
		if dial {
			err := t.readMadeSession(br.QueryRow())
			if errors.Is(err, pgx.ErrNoRows) {
				return false, nil
			}
			return err == nil, err
		}
		return t.readLockedSession(br.QueryRow(), req.Phone)
	})
	if err != nil || found {
		return err
	}
	// None to lock (or, for a dial, one there already): create or lock it. The facts go again, read after the session is ours: a turn
	// that created it meanwhile may have committed (its reply, say) after they were read.
	b = &pgx.Batch{}
	b.Queue(turnSessionSQL, req.Channel, req.Key, req.Phone, req.Now)
	queueFacts(b)
	_, err = t.read(t.conn.SendBatch(ctx, b), func(br pgx.BatchResults) (bool, error) {
		return true, t.readMadeSession(br.QueryRow())
	})
	return err
}

// read reads a batch's session with session, then, if it found one, the facts; it closes the batch.
func (t *turn) read(br pgx.BatchResults, session func(pgx.BatchResults) (bool, error)) (bool, error) {
	found, err := session(br)
	if err == nil && found {
		err = t.readFacts(br.QueryRow())
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return found, err
}

// turn is one open transaction on a held connection.
type turn struct {
	conn  *pgxpool.Conn
	facts dialog.Facts
	done  bool
}

// readLockedSession reads turnLockSQL's row: found is false when there is no session, or
// when it belongs to another phone (turnSessionSQL moves it).
func (t *turn) readLockedSession(row pgx.Row, phone care.Phone) (bool, error) {
	var (
		sess  dialog.Session
		owner string
		vars  []byte
	)
	err := row.Scan(&sess.ID, &owner, &sess.Flow, &sess.State, &vars, &sess.Language, &sess.Version, &sess.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && owner != string(phone)) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, t.setSession(sess, vars)
}

// readMadeSession reads turnSessionSQL's row.
func (t *turn) readMadeSession(row pgx.Row) error {
	var (
		sess dialog.Session
		vars []byte
	)
	if err := row.Scan(&sess.ID, &sess.Flow, &sess.State, &vars, &sess.Language, &sess.Version,
		&sess.UpdatedAt, &sess.Created); err != nil {
		return err
	}
	return t.setSession(sess, vars)
}

func (t *turn) setSession(sess dialog.Session, vars []byte) error {
	v, err := turnVars(vars)
	if err != nil {
		return err
	}
	sess.Vars = v
	t.facts.Session = sess
	return nil
}

// readFacts reads turnFactsSQL's row.
func (t *turn) readFacts(row pgx.Row) error {
	var (
		dup                                      []byte
		pID, cID, smID, ciID, rmID, rmAppt, pvID *int64
		pName, pCommune, pLang, pPIN, pStatus    *string
		cStep, mName, mPhone                     *string
		smName, smCommune, smLang                *string
		pDiacritics                              *bool
		ciDue, rmAt, rmSent, pvUpdated           *time.Time
		rmPlace, pvFlow, pvState, pvLang         *string
		pvVars                                   []byte
		pvVersion                                *int
		pSex, cgName, cgCommune, cgSex           *string
		pBirth, pFailures, cgBirth               *int32
		pLocked                                  *time.Time
		cgID, cgCase                             *int64
	)
	if err := row.Scan(&dup,
		&pID, &pName, &pCommune, &pLang, &pDiacritics, &pPIN, &pStatus,
		&pSex, &pBirth, &pFailures, &pLocked,
		&cID, &cStep, &mName, &mPhone,
		&smID, &smName, &smCommune, &smLang,
		&ciID, &ciDue,
		&cgID, &cgName, &cgCommune, &cgCase, &cgSex, &cgBirth,
		&rmID, &rmAppt, &rmAt, &rmPlace, &rmSent,
		&pvID, &pvFlow, &pvState, &pvVars, &pvLang, &pvVersion, &pvUpdated); err != nil {
		return err
	}
	f := dialog.Facts{Session: t.facts.Session}
	f.Duplicate = dup
	if pID != nil {
		p := &dialog.PersonFacts{
			ID: care.PersonID(*pID), Name: *pName, Commune: care.CommuneCode(*pCommune),
			Language: care.Language(*pLang), Diacritics: *pDiacritics, Status: care.PersonStatus(*pStatus),
		}
		if pPIN != nil {
			p.PINHash = *pPIN
		}
		p.Sex, p.BirthYear = care.Sex(deref(pSex)), int(deref(pBirth))
		p.PINFailures, p.PINLockedUntil = int(deref(pFailures)), utc(pLocked)
		if cID != nil {
			p.CaseID, p.CaseStep = care.CaseID(*cID), care.CaseStep(*cStep)
			p.ManagerName, p.ManagerPhone = *mName, care.Phone(*mPhone)
		}
		f.Person = p
	}
	if smID != nil {
		f.Manager = &dialog.ManagerFacts{ID: care.ManagerID(*smID), Name: *smName,
			Commune: care.CommuneCode(*smCommune), Language: care.Language(*smLang)}
	}
	if ciID != nil {
		f.CheckIn = &dialog.CheckInFacts{ID: care.CheckInID(*ciID), AskedAt: *ciDue}
		if cgID != nil {
			f.CheckIn.For = &dialog.CaredFor{ID: care.PersonID(*cgID), Name: *cgName, Commune: care.CommuneCode(*cgCommune),
				CaseID: care.CaseID(deref(cgCase)), Sex: care.Sex(deref(cgSex)), BirthYear: int(deref(cgBirth))}
		}
	}
	if rmID != nil {
		r := &dialog.ReminderFacts{ID: care.ReminderID(*rmID), AppointmentID: care.AppointmentID(*rmAppt),
			At: *rmAt, Place: *rmPlace}
		if rmSent != nil {
			r.SentAt = *rmSent
		}
		f.Reminder = r
	}
	if pvID != nil {
		pv, err := turnVars(pvVars)
		if err != nil {
			return err
		}
		f.Previous = &dialog.Session{ID: *pvID, Flow: *pvFlow, State: *pvState, Vars: pv,
			Language: care.Language(*pvLang), Version: *pvVersion, UpdatedAt: *pvUpdated}
	}
	t.facts = f
	return nil
}

// Facts returns what BeginTurn loaded.
func (t *turn) Facts() dialog.Facts { return t.facts }

// Rollback abandons the transaction; a connection left mid-transaction is destroyed by the pool.
func (t *turn) Rollback(ctx context.Context) {
	if t.done {
		return
	}
	t.done = true
	_, _ = t.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	t.conn.Release()
}

// turnAccents and turnPlain let SQL compare commune names without diacritics: each letter
// of turnAccents becomes the one at the same place in turnPlain, as flows.StripDiacritics
// strips it (a test holds them equal).
const (
	turnAccents = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ" +
		"ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
	turnPlain = "aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy" +
		"AAAAAAAAAAAAAAAAADEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYY"
)

// plainLetters maps each letter of turnAccents to its plain one, for Go-side comparisons that
// must agree with the SQL translate() above.
var plainLetters = func() map[rune]rune {
	from, to := []rune(turnAccents), []rune(turnPlain)
	m := make(map[rune]rune, len(from))
	for i, r := range from {
		m[r] = to[i]
	}
	return m
}()

// stripAccents is s without Vietnamese diacritics, as translate(…, turnAccents, turnPlain)
// leaves it; combining marks (text typed decomposed) are dropped.
func stripAccents(s string) string {
	return strings.Map(func(r rune) rune {
		if p, ok := plainLetters[r]; ok {
			return p
		}
		if r >= 0x300 && r <= 0x36f {
			return -1
		}
		return r
	}, s)
}

// Known reports whether a person is registered with phone.
func (t *turn) Known(ctx context.Context, phone care.Phone) (bool, error) {
	var known bool
	if err := t.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM person WHERE phone = $1)`, phone.E164()).Scan(&known); err != nil {
		return false, mapError(err, "look up registration")
	}
	return known, nil
}

// Commune finds a commune by code or by name, with or without diacritics, "xã"/"phường" or
// not, as q.Plain has it.
func (t *turn) Commune(ctx context.Context, cq dialog.CommuneQuery) (care.Commune, bool, error) {
	q, plain := cq.Text, cq.Plain
	var c care.Commune
	err := t.conn.QueryRow(ctx, `
SELECT code, name, province FROM commune
WHERE lower(code) = lower($1)
   OR lower(translate(name, $3, $4)) IN ($2, 'xa ' || $2, 'phuong ' || $2, 'thi tran ' || $2)
ORDER BY lower(code) = lower($1) DESC, code LIMIT 1`, q, plain, turnAccents, turnPlain).Scan(&c.Code, &c.Name, &c.Province)
	if errors.Is(err, pgx.ErrNoRows) {
		return care.Commune{}, false, nil
	}
	if err != nil {
		return care.Commune{}, false, mapError(err, "find commune")
	}
	return c, true, nil
}

// Plan loads the next appointment and the services of the plan in force (of the plan on
// its way before any is approved: a revision waiting for approval does not hide the plan in
// force); for a person without an open case (c 0), whether a case of theirs was closed.
func (t *turn) Plan(ctx context.Context, person care.PersonID, c care.CaseID, now time.Time) (dialog.PlanView, error) {
	var (
		v        dialog.PlanView
		place    *string
		descs    []string
		statuses []string
	)
	err := t.conn.QueryRow(ctx, `
SELECT a.at, a.place, s.descs, s.statuses,
  $2 = 0 AND EXISTS (SELECT 1 FROM care_case WHERE person_id = $1 AND step = 'closed') FROM (SELECT 1) AS one
LEFT JOIN LATERAL (SELECT at, place FROM appointment
  WHERE person_id = $1 AND status = 'scheduled' AND at > $3 ORDER BY at LIMIT 1) a ON true
LEFT JOIN LATERAL (SELECT array_agg(ps.description ORDER BY ps.id) AS descs, array_agg(ps.status ORDER BY ps.id) AS statuses
  FROM plan_service ps
  WHERE ps.plan_id = (SELECT id FROM support_plan WHERE case_id = $2 AND status <> 'replaced'
                      ORDER BY status = 'approved' DESC LIMIT 1)
    AND ps.status <> 'cancelled') s ON true`,
		int64(person), int64(c), now).Scan(&v.NextAt, &place, &descs, &statuses, &v.Closed)
	if err != nil {
		return dialog.PlanView{}, mapError(err, "load plan of case %d", c)
	}
	if place != nil {
		v.NextPlace = *place
	}
	for i := range descs {
		v.Services = append(v.Services, dialog.ServiceView{Description: descs[i], Status: care.ServiceStatus(statuses[i])})
	}
	return v, nil
}

// Register stores the person, opens the case with the commune's least busy case manager and
// notes the need areas the person named, in one statement.
func (t *turn) Register(ctx context.Context, r dialog.Registration) (dialog.Registered, error) {
	needs := make([]string, len(r.Needs))
	for i, n := range r.Needs {
		needs[i] = string(n)
	}
	detail, err := json.Marshal(map[string]any{"needs": needs, "channel": r.Channel, "on_behalf": r.RegisteredBy != ""})
	if err != nil {
		return dialog.Registered{}, fmt.Errorf("register: %w", err)
	}
	p := &care.Person{Phone: r.Phone, Name: r.Name, Commune: r.Commune, Language: r.Language, Channel: r.Channel,
		ConsentAt: &r.Now, CaregiverPhone: r.RegisteredBy, RegisteredBy: r.RegisteredBy, RegisteredRelation: r.Relation,
		Status: care.PersonActive}
	var (
		pID, cID, mID *int64
		mPhone, mLang *string
	)
	// personArgs's $3 is the commune and $15 the time; $23 is the audit entry's detail.
	err = t.conn.QueryRow(ctx, `
WITH p AS (`+personSQL+`
  ON CONFLICT (phone) DO NOTHING
  RETURNING id),
m AS (
  SELECT cm.id, cm.phone, cm.language FROM case_manager cm
  WHERE cm.commune = $3 AND cm.active AND cm.role IN ('case_manager', 'supervisor', 'duty_officer')
  ORDER BY cm.role <> 'case_manager',
           (SELECT count(*) FROM care_case cc WHERE cc.manager_id = cm.id AND cc.step <> 'closed'), cm.id
  LIMIT 1),
c AS (`+openCasesFrom(`SELECT p.id, m.id, $3::text, $15::timestamptz, NULL::bigint FROM p, m`)+`
  RETURNING id),
a AS (`+auditInsert+`
  SELECT NULL::bigint, 'register', 'person', p.id, $23, $15 FROM p)
SELECT (SELECT id FROM p), (SELECT id FROM c), m.id, m.phone, m.language
FROM (SELECT 1) AS one LEFT JOIN m ON true`,
		append(personArgs(p, r.Now), detail)...).Scan(&pID, &cID, &mID, &mPhone, &mLang)
	if err != nil {
		return dialog.Registered{}, mapError(err, "register")
	}
	if pID == nil {
		return dialog.Registered{Existing: true}, nil
	}
	out := dialog.Registered{PersonID: care.PersonID(*pID)}
	if cID != nil {
		out.CaseID = care.CaseID(*cID)
	}
	if mID != nil {
		out.ManagerID, out.ManagerPhone, out.ManagerLang = care.ManagerID(*mID), care.Phone(*mPhone), care.Language(*mLang)
		out.ManagerActive = true
		return out, nil
	}
	// Nobody in the commune to take the case: whose ladder its escalation goes up.
	l, err := loadLadder(ctx, t.conn, 0, r.Commune)
	if err != nil {
		return dialog.Registered{}, fmt.Errorf("register: %w", err)
	}
	out.Route = l.route
	return out, nil
}

// RequestHelp stores the help request and opens its escalation, or attaches it to the open
// need_help escalation of the check-in it answers, and reads the escalation's ladder in the
// same transaction: one round trip (see fileHelp).
func (t *turn) RequestHelp(ctx context.Context, r dialog.HelpFiling) (dialog.HelpFiled, error) {
	out, _, err := fileHelp(ctx, t.conn, r)
	return out, err
}

// Reach returns the first person on the ladder of case c in commune (ladderSQL): whom a
// voice caller's 0 dials.
func (t *turn) Reach(ctx context.Context, c care.CaseID, commune care.CommuneCode) (care.Phone, care.EscalationRoute, error) {
	l, err := loadLadder(ctx, t.conn, c, commune)
	if err != nil {
		return "", care.RouteNobody, err
	}
	if m := l.first(); m != nil {
		return m.Phone, l.route, nil
	}
	return "", care.RouteNobody, nil
}

// Escalation locks an escalation and tells whether the staff member may acknowledge it: one
// of their commune, one they were told of, or, for the on-call roster (no commune), one of
// no commune.
func (t *turn) Escalation(ctx context.Context, id care.EscalationID, manager care.ManagerID, commune care.CommuneCode) (dialog.AckCheck, error) {
	var out dialog.AckCheck
	err := t.conn.QueryRow(ctx, `
SELECT e.status,
       (e.commune IS NOT NULL AND e.commune = $3)
       OR (e.commune IS NULL AND $3 = '')
       OR EXISTS (SELECT 1 FROM escalation_notice n WHERE n.escalation_id = e.id AND n.manager_id = $2)
FROM escalation e WHERE e.id = $1 FOR UPDATE`, int64(id), int64(manager), commune).Scan(&out.Status, &out.Allowed)
	if errors.Is(err, pgx.ErrNoRows) {
		return dialog.AckCheck{}, nil
	}
	if err != nil {
		return dialog.AckCheck{}, mapError(err, "check escalation %d", id)
	}
	out.Found = true
	return out, nil
}

// Commit writes the session, the message log and the step's records, and commits: one
// pipelined batch ending in COMMIT, one round trip. A common turn's batch is two statements:
// the session and both messages in one, then COMMIT.
func (t *turn) Commit(ctx context.Context, o dialog.Outcome) error {
	if t.done {
		return fmt.Errorf("commit turn: already ended")
	}
	vars, err := json.Marshal(o.Vars)
	if err != nil {
		return fmt.Errorf("commit turn: vars: %w", err)
	}
	person := turnID(int64(o.PersonID))
	sess := t.facts.Session
	channel, provider, phone := o.Channel, o.Provider, o.Phone
	b := &pgx.Batch{}
	var next *time.Time
	if o.ReplyStatus == care.MsgQueued {
		next = &o.Now
	}
	b.Queue(turnSaveSQL, sess.ID, o.Flow, o.State, vars, o.Language, o.Version, o.Now,
		channel, provider, o.ProviderID, phone, person, o.Inbound,
		o.ReplyBody, o.ReplyStatus, o.ReplyKey, o.Reply, next, o.HelpPending)
	w := o.Writes
	if w.PersonLanguage != "" && o.PersonID != 0 {
		b.Queue(`UPDATE person SET language = $2, updated_at = $3 WHERE id = $1`, int64(o.PersonID), w.PersonLanguage, o.Now)
	}
	if w.PersonStatus != "" && o.PersonID != 0 {
		b.Queue(`UPDATE person SET status = $2, updated_at = $3 WHERE id = $1`, int64(o.PersonID), w.PersonStatus, o.Now)
	}
	if c := w.CheckIn; c != nil {
		b.Queue(answerCheckInSQL, int64(c.ID), c.Status, o.Now)
	}
	if r := w.Reminder; r != nil {
		b.Queue(`UPDATE reminder SET answer = $2 WHERE id = $1 AND answer = ''`, int64(r.ID), r.Answer)
	}
	if e := w.Escalation; e != nil {
		newEscalation{e: &care.Escalation{Reason: e.Reason, Urgent: e.Urgent, PersonID: e.PersonID, CaseID: e.CaseID,
			Commune: e.Commune, CheckInID: e.CheckInID, AppointmentID: e.AppointmentID, NextLevelAt: &e.NextLevelAt},
			now: o.Now}.queue(b, nil)
	}
	if a := w.Ack; a != nil {
		acknowledgement{id: a.ID, by: a.By, at: o.Now, now: o.Now}.queue(b, nil)
	}
	msgs := make([]care.Outgoing, len(w.Queue))
	for i, m := range w.Queue {
		msgs[i] = care.Outgoing{Key: m.IdempotencyKey, PersonID: m.PersonID, Phone: m.Phone, Channel: care.ChannelSMS,
			Provider: m.Provider, Body: m.Body}
	}
	outbound{msgs: msgs, now: o.Now}.queue(b, nil)
	if w.FinishSession != 0 {
		b.Queue(turnFinishSessionSQL, w.FinishSession, o.Now)
	}
	if a := w.PIN; a != nil {
		if a.OK {
			b.Queue(`UPDATE person SET pin_failures = 0, pin_locked_until = NULL
WHERE id = $1 AND (pin_failures > 0 OR pin_locked_until IS NOT NULL)`, int64(a.Person))
		} else {
			b.Queue(turnPINFailedSQL, int64(a.Person), care.PINAttempts, o.Now.Add(care.PINLockout))
		}
	}
	b.Queue("COMMIT")
	err = t.conn.SendBatch(ctx, b).Close()
	if err != nil {
		t.Rollback(ctx)
		return mapError(err, "commit turn")
	}
	t.done = true
	t.conn.Release()
	return nil
}

// turnPINFailedSQL counts a wrong PIN ($1 the person): the $2-th in a row locks plan status
// until $3 and starts the count again.
const turnPINFailedSQL = `
UPDATE person SET
  pin_failures = CASE WHEN pin_failures + 1 >= $2::int THEN 0 ELSE pin_failures + 1 END,
  pin_locked_until = CASE WHEN pin_failures + 1 >= $2::int THEN $3 ELSE pin_locked_until END
WHERE id = $1`

// deref is *v, or the zero value for nil.
func deref[T any](v *T) T {
	var zero T
	if v == nil {
		return zero
	}
	return *v
}

// turnID is a nullable id argument: nil for 0.
func turnID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
