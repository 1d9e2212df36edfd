package store

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// The case life cycle beyond the five steps (close, reopen, transfer, review) and the plan's
// way to approval, as staff drive them: each change, its audit row and the messages it
// sends commit together, so nobody is told of a change that rolled back and no change goes
// untold. The messages go to the outbox (queued rows) like every other outbound message.

// writeMessages queues out in the outbox through tx, due now.
func writeMessages(ctx context.Context, tx pgx.Tx, out []care.Outgoing, now time.Time) error {
	if len(out) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	outbound{msgs: out, now: now}.queue(b, nil)
	return tx.SendBatch(ctx, b).Close()
}

// lockCase loads case id under a row lock.
func lockCase(ctx context.Context, tx pgx.Tx, id care.CaseID) (*care.Case, error) {
	return scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM care_case WHERE id = $1 FOR UPDATE`, int64(id)))
}

// personOf loads the person with id through q.
func personOf(ctx context.Context, q db, id care.PersonID) (*care.Person, error) {
	return scanPerson(q.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE id = $1`, int64(id)))
}

// managerOf loads the staff member with id through q.
func managerOf(ctx context.Context, q db, id care.ManagerID) (*care.CaseManager, error) {
	return scanManager(q.QueryRow(ctx, `SELECT `+managerColumns+` FROM case_manager WHERE id = $1`, int64(id)))
}

// CloseCaseAs closes case id for cl's reason from whatever step it is at, and in the same
// transaction cancels its scheduled appointments and their pending reminders, stops its
// check-in schedules, cancels its check-ins not answered, resolves its open check-in
// escalations, each with its audit row (help requests and their escalations stay open:
// someone still needs help), tells the person through tell unless they died, and writes
// the case's audit row.
func (s *Store) CloseCaseAs(ctx context.Context, by care.ManagerID, id care.CaseID, cl care.Closure, tell care.Announcer) (*care.Case, error) {
	if err := cl.Validate(); err != nil {
		return nil, mapError(err, "close case %d", id)
	}
	var c *care.Case
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if c, err = lockCase(ctx, tx, id); err != nil {
			return err
		}
		now := s.now()
		tr, err := c.Close(ctx, cl, by, now)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE care_case SET step = 'closed', closed_at = $2, updated_at = $2, close_reason = $3 WHERE id = $1`,
			int64(id), now, string(cl.Reason))
		appointmentCancel{kase: id, now: now}.queue(b)
		checkInStop{kase: id, statuses: unansweredCheckIns}.queue(b)
		resolution{kase: id, by: by, outcome: "case closed", at: now, now: now}.queue(b, nil)
		auditEntry{by: by, action: care.AuditCaseClose, entity: "case", id: int64(id),
			detail: map[string]any{"reason": cl.Reason, "from": tr.From}, at: now}.queue(b)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if err := insertTransition(ctx, tx, tr); err != nil {
			return err
		}
		if !cl.Reason.TellsPerson() {
			return nil
		}
		p, err := personOf(ctx, tx, c.PersonID)
		if err != nil {
			return err
		}
		return writeMessages(ctx, tx, tell.Closed(care.ClosedNews{Case: *c, Person: *p}), now)
	})
	if err != nil {
		return nil, mapError(err, "close case %d", id)
	}
	return c, nil
}

// ReopenCaseAs opens a new case at step 1 for the person of closed case id, marked as
// reopened from it, with its first transition (reopen) and the audit row. An open case is
// EINVALID; a person with another open case ECONFLICT.
func (s *Store) ReopenCaseAs(ctx context.Context, by care.ManagerID, id care.CaseID, manager care.ManagerID) (*care.Case, error) {
	var c *care.Case
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := lockCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Step != care.StepClosed {
			return care.FieldError("step", "only a closed case can be reopened")
		}
		commune := old.Commune
		if err := tx.QueryRow(ctx, `SELECT commune FROM person WHERE id = $1`, int64(old.PersonID)).Scan(&commune); err != nil {
			return err
		}
		m, err := s.takerOf(ctx, tx, commune, manager, old.ManagerID)
		if err != nil {
			return err
		}
		now := s.now()
		c = &care.Case{PersonID: old.PersonID, ManagerID: m, Commune: commune, ReopenedFrom: old.ID}
		if err := insertCase(ctx, tx, c, now); err != nil {
			return err
		}
		c.Step, c.OpenedAt, c.UpdatedAt = care.StepAssessment, now, now
		tr := care.CaseTransition{CaseID: c.ID, Event: care.EventReopen, From: care.StepClosed, To: care.StepAssessment,
			By: by, At: now, Note: "reopened from case " + strconv.FormatInt(int64(old.ID), 10)}
		if err := insertTransition(ctx, tx, tr); err != nil {
			return err
		}
		return auditEntry{by: by, action: care.AuditCaseReopen, entity: "case", id: int64(c.ID),
			detail: map[string]any{"reopened_from": int64(old.ID), "manager_id": int64(m)}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return nil, mapError(err, "reopen case %d", id)
	}
	return c, nil
}

// takerOf picks who takes a case in commune: want when set (an active staff member of the
// commune, EINVALID otherwise), else prefer when they are still an active staff member
// there, else the commune's active case manager with the fewest open cases.
func (s *Store) takerOf(ctx context.Context, tx pgx.Tx, commune care.CommuneCode, want, prefer care.ManagerID) (care.ManagerID, error) {
	if want != 0 {
		m, err := managerOf(ctx, tx, want)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (!m.Active || m.Commune != commune)) {
			return 0, care.FieldError("manager_id", "not an active staff member of commune %s", commune)
		}
		return want, err
	}
	var id care.ManagerID
	err := tx.QueryRow(ctx, `
		SELECT m.id FROM case_manager m
		WHERE m.commune = $1 AND m.active AND (m.id = $2 OR m.role = 'case_manager')
		ORDER BY m.id = $2 DESC, (SELECT count(*) FROM care_case c WHERE c.manager_id = m.id AND c.step <> 'closed'), m.id
		LIMIT 1`, string(commune), int64(prefer)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, care.FieldError("manager_id", "commune %s has no active case manager; name one", commune)
	}
	return id, err
}

// TransferCaseAs moves open case id, and its person, to commune and its case manager
// (manager, or 0 for the commune's least busy), records the transfer in the case's history
// and the audit log, and tells both case managers through tell, in one transaction; the
// new manager is told again of open escalations at the case manager's rung. From then on
// the case belongs to the new commune: its staff see it, the old commune's do not.
func (s *Store) TransferCaseAs(ctx context.Context, by care.ManagerID, id care.CaseID, commune care.CommuneCode, manager care.ManagerID, note string, tell care.Announcer) (*care.Case, error) {
	var c *care.Case
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if c, err = lockCase(ctx, tx, id); err != nil {
			return err
		}
		if c.Step == care.StepClosed {
			return care.FieldError("step", "a closed case cannot be transferred; reopen it in the new commune")
		}
		if err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM commune WHERE code = $1)`, string(commune)); err != nil {
			if care.ErrorCode(err) == care.ENOTFOUND {
				return care.FieldError("commune", "no commune %s", commune)
			}
			return err
		}
		mid, err := s.takerOf(ctx, tx, commune, manager, 0)
		if err != nil {
			return err
		}
		from, err := managerOf(ctx, tx, c.ManagerID)
		if err != nil {
			return err
		}
		to, err := managerOf(ctx, tx, mid)
		if err != nil {
			return err
		}
		now := s.now()
		tr, err := c.Transfer(to, by, now, strings.TrimSpace(note))
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		newManager{kase: id, to: c.ManagerID, commune: c.Commune, now: now}.queue(b)
		b.Queue(`UPDATE person SET commune = $2, updated_at = $3 WHERE id = $1`, int64(c.PersonID), string(c.Commune), now)
		auditEntry{by: by, action: care.AuditCaseTransfer, entity: "case", id: int64(id), detail: map[string]any{
			"from_commune": tr.FromCommune, "to_commune": tr.ToCommune, "from_manager": int64(from.ID), "to_manager": int64(to.ID)}, at: now}.queue(b)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if err := insertTransition(ctx, tx, tr); err != nil {
			return err
		}
		p, err := personOf(ctx, tx, c.PersonID)
		if err != nil {
			return err
		}
		return writeMessages(ctx, tx, tell.Transferred(care.TransferNews{Case: *c, Person: *p, From: *from, To: *to, At: now}), now)
	})
	if err != nil {
		return nil, mapError(err, "transfer case %d", id)
	}
	return c, nil
}

// ReviewCaseAs records a periodic review of case id, which must be in monitoring, and sets
// its next review an interval from now, with the transition and the audit row.
func (s *Store) ReviewCaseAs(ctx context.Context, by care.ManagerID, id care.CaseID, note string) (*care.Case, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > care.MaxNoteRunes {
		return nil, mapError(care.FieldError("note", "note is longer than %d characters", care.MaxNoteRunes), "review case %d", id)
	}
	var c *care.Case
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if c, err = lockCase(ctx, tx, id); err != nil {
			return err
		}
		if c.Step != care.StepMonitoring {
			return care.FieldError("step", "periodic reviews are for cases in monitoring (step 4)")
		}
		now := s.now()
		next := s.review.After(now, s.loc)
		c.NextReviewAt, c.UpdatedAt = &next, now
		if _, err := tx.Exec(ctx, `UPDATE care_case SET next_review_at = $2, updated_at = $3 WHERE id = $1`, int64(id), next, now); err != nil {
			return err
		}
		tr := care.CaseTransition{CaseID: id, Event: care.EventReview, From: c.Step, To: c.Step, By: by, At: now, Note: note}
		if err := insertTransition(ctx, tx, tr); err != nil {
			return err
		}
		return auditEntry{by: by, action: care.AuditCaseReview, entity: "case", id: int64(id),
			detail: map[string]any{"next_review_at": next}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return nil, mapError(err, "review case %d", id)
	}
	return c, nil
}

// planNews loads what telling of plan p needs: its case, the person, and to (the staff to
// tell, by query and args).
func planNews(ctx context.Context, tx pgx.Tx, ev care.PlanEvent, p *care.SupportPlan, at time.Time, to string, args ...any) (care.PlanNews, error) {
	n := care.PlanNews{Event: ev, Plan: *p, At: at}
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM care_case WHERE id = $1`, int64(p.CaseID)))
	if err != nil {
		return n, err
	}
	per, err := personOf(ctx, tx, c.PersonID)
	if err != nil {
		return n, err
	}
	n.Case, n.Person = *c, *per
	rows, err := tx.Query(ctx, `SELECT `+managerColumns+` FROM case_manager WHERE `+to+` ORDER BY id`, args...)
	if err != nil {
		return n, err
	}
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.CaseManager, error) {
		m, err := scanManager(row)
		if err != nil {
			return care.CaseManager{}, err
		}
		return *m, nil
	})
	n.To = ms
	return n, err
}

// SubmitPlanAs sends draft or returned plan id to the approver as staff member by, audited
// (any other is ECONFLICT); the case's commune's active approvers are told a plan waits
// for them.
func (s *Store) SubmitPlanAs(ctx context.Context, by care.ManagerID, id care.PlanID, tell care.Announcer) (*care.SupportPlan, error) {
	return s.planStep(ctx, by, id, care.AuditPlanSubmit, func(tx pgx.Tx, now time.Time) (*care.SupportPlan, error) {
		p, err := submitPlan(ctx, tx, id, now)
		if err != nil {
			return nil, err
		}
		n, err := planNews(ctx, tx, care.PlanEventSubmitted, p, now,
			`active AND role = 'approver' AND commune = (SELECT commune FROM care_case WHERE id = $1)`, int64(p.CaseID))
		if err != nil {
			return nil, err
		}
		return p, writeMessages(ctx, tx, tell.Plan(n), now)
	})
}

// ApprovePlanAs approves submitted plan id now as staff member by, an active approver or
// admin (EUNAUTHORIZED otherwise), replacing the plan it revises, audited; the case manager
// is told. Approving a plan not submitted, approved already or replaced is ECONFLICT.
func (s *Store) ApprovePlanAs(ctx context.Context, by care.ManagerID, id care.PlanID, tell care.Announcer) (*care.SupportPlan, error) {
	return s.planStep(ctx, by, id, care.AuditPlanApprove, func(tx pgx.Tx, now time.Time) (*care.SupportPlan, error) {
		p, err := approvePlan(ctx, tx, id, by, now)
		if err != nil {
			return nil, err
		}
		return p, s.tellManager(ctx, tx, tell, care.PlanEventApproved, p, now)
	})
}

// ReturnPlanAs sends submitted plan id back with a reason, as approver by, audited (without
// the reason, which is free text); the case manager is told.
func (s *Store) ReturnPlanAs(ctx context.Context, by care.ManagerID, id care.PlanID, reason string, tell care.Announcer) (*care.SupportPlan, error) {
	return s.planStep(ctx, by, id, care.AuditPlanReturn, func(tx pgx.Tx, now time.Time) (*care.SupportPlan, error) {
		p, err := returnPlan(ctx, tx, id, by, reason, now)
		if err != nil {
			return nil, err
		}
		return p, s.tellManager(ctx, tx, tell, care.PlanEventReturned, p, now)
	})
}

// tellManager writes tell's messages about plan p's event to the case's case manager.
func (s *Store) tellManager(ctx context.Context, tx pgx.Tx, tell care.Announcer, ev care.PlanEvent, p *care.SupportPlan, now time.Time) error {
	n, err := planNews(ctx, tx, ev, p, now, `id = (SELECT manager_id FROM care_case WHERE id = $1)`, int64(p.CaseID))
	if err != nil {
		return err
	}
	return writeMessages(ctx, tx, tell.Plan(n), now)
}

// planStep runs one step of a plan's way to approval in a transaction with its audit row,
// and returns the plan with its services.
func (s *Store) planStep(ctx context.Context, by care.ManagerID, id care.PlanID, action string, step func(tx pgx.Tx, now time.Time) (*care.SupportPlan, error)) (*care.SupportPlan, error) {
	var p *care.SupportPlan
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		now := s.now()
		stepped, err := step(tx, now)
		if err != nil {
			return err
		}
		if err := (auditEntry{by: by, action: action, entity: "plan", id: int64(id),
			detail: map[string]any{"case_id": int64(stepped.CaseID)}, at: s.now()}).exec(ctx, tx); err != nil {
			return err
		}
		p, err = s.loadPlan(ctx, tx, `id = $1`, int64(id))
		return err
	})
	if err != nil {
		return nil, mapError(err, "%s plan %d", strings.TrimPrefix(action, "plan."), id)
	}
	return p, nil
}

// ListCases returns the cases of the filter's communes: by id, or by review date (soonest
// first) when filtering by review. Without a step it lists open cases.
func (s *Store) ListCases(ctx context.Context, f care.CaseFilter, pg care.Page) ([]*care.Case, string, error) {
	n := limit(pg)
	all, communes := communeFilter(f.Communes)
	now := f.Now
	if now.IsZero() {
		now = s.now()
	}
	var (
		afterAt time.Time
		afterID int64
	)
	byReview := f.Review != care.ReviewAny
	parts, err := decodeCursor(pg.Cursor, 2)
	if err == nil && parts != nil {
		var perr error
		if afterID, perr = strconv.ParseInt(parts[1], 10, 64); perr == nil && byReview {
			afterAt, perr = time.Parse(time.RFC3339Nano, parts[0])
		}
		if perr != nil {
			err = care.FieldError("cursor", "invalid cursor")
		}
	}
	if err != nil {
		return nil, "", mapError(err, "list cases")
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+caseColumns+` FROM care_case
		WHERE ($1 OR commune = ANY($2))
		  AND CASE WHEN $3 = '' THEN step <> 'closed' ELSE step = $3 END
		  AND ($4 = 0 OR manager_id = $4)
		  AND CASE $5
		        WHEN 'due' THEN step = 'monitoring' AND next_review_at <= $6::timestamptz + $7::interval
		        WHEN 'overdue' THEN step = 'monitoring' AND next_review_at < $6
		        ELSE true END
		  AND CASE WHEN $5 = '' THEN id > $9
		        ELSE (next_review_at, id) > ($8, $9) END
		ORDER BY CASE WHEN $5 = '' THEN NULL ELSE next_review_at END, id
		LIMIT $10`,
		all, communes, string(f.Step), int64(f.ManagerID), string(f.Review), now, care.ReviewSoon, afterAt, afterID, n+1)
	if err != nil {
		return nil, "", mapError(err, "list cases")
	}
	out, next, err := collectPage(rows, n, scanCase, func(c *care.Case) string {
		at := ""
		if c.NextReviewAt != nil {
			at = c.NextReviewAt.Format(time.RFC3339Nano)
		}
		return encodeCursor(at, strconv.FormatInt(int64(c.ID), 10))
	})
	if err != nil {
		return nil, "", mapError(err, "list cases")
	}
	return out, next, nil
}
