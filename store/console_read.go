package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// The console's reads. Each takes the communes the staff member sees (nil: every commune,
// as communeFilter reads it) and answers in one round trip.

// Inbox returns at most limit escalations of the communes that are not resolved, with the
// person's name, the help request, whom the ladder told and who acknowledged: safety first
// (abuse reports, people in danger), then urgent, then the soonest to climb.
func (s *Store) Inbox(ctx context.Context, communes []care.CommuneCode, limit int) ([]care.InboxItem, error) {
	all, cs := communeFilter(communes)
	rows, err := s.pool.Query(ctx, `
		SELECT `+prefixed("e", escalationColumns)+`,
			COALESCE(p.name, ''), h.id IS NOT NULL,
			COALESCE(h.id, 0), COALESCE(h.person_id, 0), COALESCE(h.phone, '+10000000'), COALESCE(h.commune, ''),
			COALESCE(h.category, 'other'), COALESCE(h.description, ''), COALESCE(h.in_danger, false),
			COALESCE(h.channel, 'sms'), COALESCE(h.status, 'open'), COALESCE(h.unfinished, false),
			COALESCE(h.created_at, e.created_at),
			ARRAY(SELECT m.name FROM escalation_notice n JOIN case_manager m ON m.id = n.manager_id
				WHERE n.escalation_id = e.id ORDER BY n.level, n.at, m.id),
			COALESCE((SELECT name FROM case_manager WHERE id = e.acked_by), '')
		FROM escalation e
		LEFT JOIN person p ON p.id = e.person_id
		LEFT JOIN help_request h ON h.id = e.help_request_id
		WHERE e.status <> 'resolved' AND ($1 OR COALESCE(e.commune, '') = ANY($2))
		ORDER BY (h.category = 'abuse' OR h.in_danger) IS NOT TRUE, NOT e.urgent,
			COALESCE(e.next_level_at, 'infinity'), e.id
		LIMIT $3`, all, cs, limit)
	if err != nil {
		return nil, mapError(err, "load inbox")
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.InboxItem, error) {
		var it care.InboxItem
		var h care.HelpRequest
		var hasHelp bool
		var level int16
		e := &it.Escalation
		dest := []any{&e.ID, &e.Reason, &e.Urgent, &e.PersonID, &e.CaseID, &e.Commune, &e.HelpRequestID,
			&e.CheckInID, &e.AppointmentID, &level, &e.Status, &e.NextLevelAt, &e.Notified, &e.AckedBy,
			&e.AckedAt, &e.ResolvedBy, &e.ResolvedAt, &e.Outcome, &e.CreatedAt, &e.UpdatedAt,
			&it.PersonName, &hasHelp}
		dest = append(dest, helpDest(&h)...)
		dest = append(dest, &it.Told, &it.AckedByName)
		if err := row.Scan(dest...); err != nil {
			return it, err
		}
		e.Level = care.EscalationLevel(level)
		e.NextLevelAt, e.AckedAt = utc(e.NextLevelAt), utc(e.AckedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		if hasHelp {
			h.CreatedAt = h.CreatedAt.UTC()
			it.Help = &h
		}
		return it, nil
	})
	if err != nil {
		return nil, mapError(err, "load inbox")
	}
	return items, nil
}

// prefixed qualifies each column of a column list (names, or COALESCE(name, default)) with
// table alias t, so a list written for one table serves a join.
func prefixed(t, columns string) string {
	var parts []string
	depth, from := 0, 0
	for i, r := range columns {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, columns[from:i])
				from = i + 1
			}
		}
	}
	parts = append(parts, columns[from:])
	for i, c := range parts {
		c = strings.TrimSpace(c)
		if rest, ok := strings.CutPrefix(c, "COALESCE("); ok {
			parts[i] = "COALESCE(" + t + "." + rest
		} else {
			parts[i] = t + "." + c
		}
	}
	return strings.Join(parts, ", ")
}

// SearchPersons lists at most f.Limit people of f's communes by name, with their open case's
// step: those f.Text finds as the API's search does (personMatches), at
// step f.Step (StepClosed: no open case), with need f.Need in their case's latest assessment,
// whose case's review is due or overdue (f.Review, as ListCases counts it).
func (s *Store) SearchPersons(ctx context.Context, f care.PersonSearch) ([]care.PersonRow, error) {
	all, cs := communeFilter(f.Communes)
	name, digits := personQuery(f.Text)
	n := f.Limit
	if n <= 0 || n > care.MaxPageLimit {
		n = care.DefaultPageLimit
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+prefixed("p", personColumns)+`, COALESCE(c.id, 0), COALESCE(c.step, '')
		FROM person p
		LEFT JOIN care_case c ON c.person_id = p.id AND c.step <> 'closed'
		WHERE ($1 OR p.commune = ANY($2))
		  AND `+personMatches("p.", "$3", "$4")+`
		  AND ($5 = '' OR ($5 = 'closed' AND c.id IS NULL) OR c.step = $5)
		  AND ($8 = '' OR (c.step = 'monitoring' AND CASE $8
			WHEN 'due' THEN c.next_review_at <= $9::timestamptz + $10::interval
			ELSE c.next_review_at < $9 END))
		  AND ($6 = '' OR EXISTS (
			SELECT FROM assessment_need n WHERE n.area = $6 AND n.assessment_id = (
				SELECT a.id FROM assessment a WHERE a.case_id = c.id ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1)))
		ORDER BY lower(p.name), p.id
		LIMIT $7`, all, cs, name, digits, string(f.Step), string(f.Need), n, string(f.Review), f.Now, care.ReviewSoon)
	if err != nil {
		return nil, mapError(err, "search people")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.PersonRow, error) {
		var r care.PersonRow
		dest, done := personDest(&r.Person)
		if err := row.Scan(append(dest, &r.CaseID, &r.Step)...); err != nil {
			return r, err
		}
		done()
		return r, nil
	})
	if err != nil {
		return nil, mapError(err, "search people")
	}
	return out, nil
}

// LastClosedCaseOf returns the person's most recently closed case, ENOTFOUND when none.
func (s *Store) LastClosedCaseOf(ctx context.Context, id care.PersonID) (*care.Case, error) {
	c, err := scanCase(s.pool.QueryRow(ctx, `
		SELECT `+caseColumns+` FROM care_case WHERE person_id = $1 AND step = 'closed'
		ORDER BY closed_at DESC, id DESC LIMIT 1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load last closed case of person %d", id)
	}
	return c, nil
}

// PersonAppointments lists the person's appointments, the latest first (at most 50).
func (s *Store) PersonAppointments(ctx context.Context, id care.PersonID) ([]*care.Appointment, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+appointmentColumns+` FROM appointment WHERE person_id = $1 ORDER BY at DESC, id DESC LIMIT 50`, int64(id))
	if err != nil {
		return nil, mapError(err, "list appointments of person %d", id)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*care.Appointment, error) { return scanAppointment(row) })
	if err != nil {
		return nil, mapError(err, "list appointments of person %d", id)
	}
	return out, nil
}

// CaseCheckIns lists at most limit check-ins of the case, the latest first.
func (s *Store) CaseCheckIns(ctx context.Context, id care.CaseID, limit int) ([]*care.CheckIn, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+checkInColumns+` FROM checkin WHERE case_id = $1 ORDER BY due_at DESC, id DESC LIMIT $2`, int64(id), limit)
	if err != nil {
		return nil, mapError(err, "list check-ins of case %d", id)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*care.CheckIn, error) { return scanCheckIn(row) })
	if err != nil {
		return nil, mapError(err, "list check-ins of case %d", id)
	}
	return out, nil
}

// PersonHelpRequests lists the person's help requests, the latest first (at most 50).
func (s *Store) PersonHelpRequests(ctx context.Context, id care.PersonID) ([]*care.HelpRequest, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+helpColumns+` FROM help_request WHERE person_id = $1 ORDER BY id DESC LIMIT 50`, int64(id))
	if err != nil {
		return nil, mapError(err, "list help requests of person %d", id)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*care.HelpRequest, error) { return scanHelp(row) })
	if err != nil {
		return nil, mapError(err, "list help requests of person %d", id)
	}
	return out, nil
}

// ManagerNames returns the names of the staff members with the ids; unknown ids are left out.
func (s *Store) ManagerNames(ctx context.Context, ids []care.ManagerID) (map[care.ManagerID]string, error) {
	raw := make([]int64, len(ids))
	for i, id := range ids {
		raw[i] = int64(id)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name FROM case_manager WHERE id = ANY($1)`, raw)
	if err != nil {
		return nil, mapError(err, "load staff names")
	}
	out := map[care.ManagerID]string{}
	var id care.ManagerID
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error { out[id] = name; return nil })
	if err != nil {
		return nil, mapError(err, "load staff names")
	}
	return out, nil
}

// PlansToApprove lists the plans of open cases of the communes submitted for approval,
// oldest first (at most 100), with the person and the author.
func (s *Store) PlansToApprove(ctx context.Context, communes []care.CommuneCode) ([]care.PlanToApprove, error) {
	all, cs := communeFilter(communes)
	rows, err := s.pool.Query(ctx, `
		SELECT sp.id, sp.case_id, sp.goals, sp.status, sp.created_by, sp.created_at, p.id, p.name, c.commune, m.name
		FROM support_plan sp
		JOIN care_case c ON c.id = sp.case_id AND c.step <> 'closed'
		JOIN person p ON p.id = c.person_id
		JOIN case_manager m ON m.id = sp.created_by
		WHERE sp.status = 'submitted' AND ($1 OR c.commune = ANY($2))
		ORDER BY sp.created_at, sp.id LIMIT 100`, all, cs)
	if err != nil {
		return nil, mapError(err, "list plans to approve")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.PlanToApprove, error) {
		var q care.PlanToApprove
		err := row.Scan(&q.Plan.ID, &q.Plan.CaseID, &q.Plan.Goals, &q.Plan.Status, &q.Plan.CreatedBy, &q.Plan.CreatedAt,
			&q.PersonID, &q.PersonName, &q.Commune, &q.AuthorName)
		return q, err
	})
	if err != nil {
		return nil, mapError(err, "list plans to approve")
	}
	return out, nil
}

// CommuneReport counts, for the communes and the month [from, to): cases opened and closed,
// open cases by step, help requests by category, escalations and those acknowledged within
// sla, check-ins answered of those that closed, and where USSD and voice callers left a
// flow (USSD sessions that ended Incomplete or Failed; voice dialogs still in a flow). It
// sends its queries as one batch: one round trip.
func (s *Store) CommuneReport(ctx context.Context, communes []care.CommuneCode, from, to time.Time, sla care.SLA) (*care.CommuneReport, error) {
	all, cs := communeFilter(communes)
	r := &care.CommuneReport{From: from, To: to}
	b := &pgx.Batch{}
	// The people of the communes, for the tables that know only a phone number.
	const phones = `SELECT phone FROM person WHERE $1 OR commune = ANY($2)`
	b.Queue(`
		SELECT count(*) FILTER (WHERE opened_at >= $3 AND opened_at < $4),
		       count(*) FILTER (WHERE closed_at >= $3 AND closed_at < $4)
		FROM care_case WHERE ($1 OR commune = ANY($2)) AND (opened_at < $4)`, all, cs, from, to).
		QueryRow(func(row pgx.Row) error { return row.Scan(&r.NewCases, &r.ClosedCases) })
	countBy := func(dst *[]care.CountBy, sql string, args ...any) {
		b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
			var c care.CountBy
			_, err := pgx.ForEachRow(rows, []any{&c.Key, &c.Count}, func() error { *dst = append(*dst, c); return nil })
			return err
		})
	}
	countBy(&r.CasesByStep, `
		SELECT step, count(*) FROM care_case WHERE ($1 OR commune = ANY($2)) AND step <> 'closed'
		GROUP BY step`, all, cs)
	countBy(&r.HelpByCategory, `
		SELECT category, count(*) FROM help_request
		WHERE ($1 OR COALESCE(commune, '') = ANY($2)) AND created_at >= $3 AND created_at < $4
		GROUP BY category ORDER BY 2 DESC, 1`, all, cs, from, to)
	b.Queue(`
		SELECT count(*), count(*) FILTER (WHERE COALESCE(acked_at, resolved_at) <= created_at +
			CASE WHEN urgent THEN $5::interval ELSE $6::interval END)
		FROM escalation WHERE ($1 OR COALESCE(commune, '') = ANY($2)) AND created_at >= $3 AND created_at < $4`,
		all, cs, from, to, sla.Urgent, sla.Normal).
		QueryRow(func(row pgx.Row) error { return row.Scan(&r.Escalations, &r.AckedInSLA) })
	b.Queue(`
		SELECT count(*), count(*) FILTER (WHERE k.status IN ('fine', 'need_help'))
		FROM checkin k JOIN care_case c ON c.id = k.case_id
		WHERE ($1 OR c.commune = ANY($2)) AND k.due_at >= $3 AND k.due_at < $4
		  AND k.status IN ('fine', 'need_help', 'missed')`, all, cs, from, to).
		QueryRow(func(row pgx.Row) error { return row.Scan(&r.CheckInsDue, &r.CheckInsAnswered) })
	countBy(&r.USSDLeft, `
		SELECT CASE WHEN flow = '' THEN '-' ELSE flow || ' / ' || state END, count(*) FROM ussd_session_end
		WHERE status <> 'Success' AND ended_at >= $3 AND ended_at < $4 AND phone IN (`+phones+`)
		GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`, all, cs, from, to)
	countBy(&r.VoiceLeft, `
		SELECT flow || ' / ' || state, count(*) FROM dialog_session
		WHERE channel = 'voice' AND flow <> '' AND updated_at >= $3 AND updated_at < $4 AND phone IN (`+phones+`)
		GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`, all, cs, from, to)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, mapError(err, "make commune report")
	}
	return r, nil
}
