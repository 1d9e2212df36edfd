package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

// caseColumns is what scanCase reads, in its order.
const caseColumns = `id, person_id, manager_id, commune, step, opened_at, closed_at, updated_at,
	COALESCE(close_reason, ''), COALESCE(reopened_from, 0), next_review_at`

func scanCase(row pgx.Row) (*care.Case, error) {
	var c care.Case
	if err := row.Scan(&c.ID, &c.PersonID, &c.ManagerID, &c.Commune, &c.Step, &c.OpenedAt, &c.ClosedAt, &c.UpdatedAt,
		&c.CloseReason, &c.ReopenedFrom, &c.NextReviewAt); err != nil {
		return nil, err
	}
	c.OpenedAt, c.UpdatedAt, c.ClosedAt, c.NextReviewAt = c.OpenedAt.UTC(), c.UpdatedAt.UTC(), utc(c.ClosedAt), utc(c.NextReviewAt)
	return &c, nil
}

// OpenCase stores c at step 1 and sets its ID, step and times; an empty commune is the
// person's. A person with an open case already is ECONFLICT.
func (s *Store) OpenCase(ctx context.Context, c *care.Case) error {
	now := s.now()
	if err := insertCase(ctx, s.pool, c, now); err != nil {
		return mapError(err, "open case of person %d", c.PersonID)
	}
	c.Step, c.OpenedAt, c.UpdatedAt, c.ClosedAt = care.StepAssessment, now, now, nil
	return nil
}

// openCasesFrom writes cases at step 1 (assessment) from rows, a query giving (person_id,
// manager_id, commune, at, reopened_from), typed; at is when each opened. The one INSERT of a
// case: OpenCase's and OpenCaseAs's (insertCase) and a turn's registration go through it.
func openCasesFrom(rows string) string {
	return `
		INSERT INTO care_case (person_id, manager_id, commune, step, opened_at, updated_at, reopened_from)
		SELECT r.person_id, r.manager_id, r.commune, 'assessment', r.at, r.at, r.reopened_from
		FROM (` + rows + `) AS r(person_id, manager_id, commune, at, reopened_from)`
}

// openCaseSQL writes one case (insertCase) and returns its id and commune.
var openCaseSQL = openCasesFrom(`VALUES ($1::bigint, $2::bigint,
	COALESCE(NULLIF($3::text, ''), (SELECT commune FROM person WHERE id = $1)), $4::timestamptz, NULLIF($5::bigint, 0))`) + `
		RETURNING id, commune`

// insertCase inserts c at step 1, opened at now, through q and sets its ID and commune (an
// empty one is the person's). OpenCase and OpenCaseAs share it; errors come back unmapped.
func insertCase(ctx context.Context, q db, c *care.Case, now time.Time) error {
	return q.QueryRow(ctx, openCaseSQL,
		int64(c.PersonID), int64(c.ManagerID), string(c.Commune), now, int64(c.ReopenedFrom),
	).Scan(&c.ID, &c.Commune)
}

// Case returns the case with id.
func (s *Store) Case(ctx context.Context, id care.CaseID) (*care.Case, error) {
	c, err := scanCase(s.pool.QueryRow(ctx, `SELECT `+caseColumns+` FROM care_case WHERE id = $1`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load case %d", id)
	}
	return c, nil
}

// OpenCaseOf returns the person's open (not closed) case.
func (s *Store) OpenCaseOf(ctx context.Context, id care.PersonID) (*care.Case, error) {
	c, err := scanCase(s.pool.QueryRow(ctx,
		`SELECT `+caseColumns+` FROM care_case WHERE person_id = $1 AND step <> 'closed'`, int64(id)))
	if err != nil {
		return nil, mapError(err, "load open case of person %d", id)
	}
	return c, nil
}

// moveCase is MoveCaseAs's work inside tx: it locks case id, applies ev under the life
// cycle's guards against the records (an assessment is recorded; the current plan is
// approved) and stores the new step and the transition with who made it, returning the
// moved case and the transition; errors come back unmapped.
func (s *Store) moveCase(ctx context.Context, tx pgx.Tx, id care.CaseID, ev care.CaseEvent, by care.ManagerID, note string) (*care.Case, care.CaseTransition, error) {
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM care_case WHERE id = $1 FOR UPDATE`, int64(id)))
	if err != nil {
		return nil, care.CaseTransition{}, err
	}
	// The facts are read by a second statement, after the lock is held: a statement that
	// waited for the lock sees the locked row as it is now but everything else as it was
	// when the statement began, which could miss a plan replaced while it waited.
	var facts care.CaseFacts
	err = tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM assessment WHERE case_id = $1),
			EXISTS (SELECT 1 FROM support_plan WHERE case_id = $1 AND status = 'approved')`, int64(id),
	).Scan(&facts.HasAssessment, &facts.PlanApproved)
	if err != nil {
		return nil, care.CaseTransition{}, err
	}
	tr, err := c.Move(ctx, ev, facts, by, s.now(), note)
	if err != nil {
		return nil, care.CaseTransition{}, err
	}
	if tr.To == care.StepMonitoring && (c.NextReviewAt == nil || c.NextReviewAt.Before(tr.At)) {
		// Entering monitoring starts the periodic reviews; a review date still ahead stays.
		next := s.review.After(tr.At, s.loc)
		c.NextReviewAt = &next
	}
	// The step moves with its transition in one statement: transitionSQL's $1, $4 and $6 are
	// the case, the new step and the time.
	_, err = tx.Exec(ctx, `
		WITH moved AS (
			UPDATE care_case SET step = $4, closed_at = $12, updated_at = $6, next_review_at = $13 WHERE id = $1
		)`+transitionSQL, append(transitionArgs(tr), c.ClosedAt, c.NextReviewAt)...)
	if err != nil {
		return nil, care.CaseTransition{}, err
	}
	return c, tr, nil
}

// transitionSQL records a case transition, its arguments transitionArgs: the one INSERT of
// a transition, a move's (moveCase, with its UPDATE) or a transfer's, reopening's or review's.
const transitionSQL = `
		INSERT INTO case_transition (case_id, event, from_step, to_step, by_id, at, note, reason, from_commune, to_commune, to_manager)
		VALUES ($1, $2, $3::text, $4::text, $5, $6::timestamptz, $7, $8, NULLIF($9, ''), NULLIF($10, ''), NULLIF($11::bigint, 0))`

// transitionArgs are transitionSQL's arguments for tr.
func transitionArgs(tr care.CaseTransition) []any {
	return []any{int64(tr.CaseID), string(tr.Event), string(tr.From), string(tr.To), int64(tr.By), tr.At, tr.Note,
		string(tr.Reason), string(tr.FromCommune), string(tr.ToCommune), int64(tr.ToManager)}
}

// insertTransition records tr through q.
func insertTransition(ctx context.Context, q db, tr care.CaseTransition) error {
	_, err := q.Exec(ctx, transitionSQL, transitionArgs(tr)...)
	return err
}

// CaseHistory returns the case's transitions, oldest first (an empty slice for a case that
// never moved); ENOTFOUND for an unknown case.
func (s *Store) CaseHistory(ctx context.Context, id care.CaseID) ([]care.CaseTransition, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT case_id, event, from_step, to_step, by_id, at, note, reason, COALESCE(from_commune, ''),
			COALESCE(to_commune, ''), COALESCE(to_manager, 0)
		FROM case_transition WHERE case_id = $1 ORDER BY at, id`, int64(id))
	if err != nil {
		return nil, mapError(err, "load history of case %d", id)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.CaseTransition, error) {
		var t care.CaseTransition
		err := row.Scan(&t.CaseID, &t.Event, &t.From, &t.To, &t.By, &t.At, &t.Note, &t.Reason, &t.FromCommune,
			&t.ToCommune, &t.ToManager)
		t.At = t.At.UTC()
		return t, err
	})
	if err == nil && len(out) == 0 {
		err = exists(ctx, s.pool, `SELECT EXISTS (SELECT 1 FROM care_case WHERE id = $1)`, int64(id))
	}
	if err != nil {
		return nil, mapError(err, "load history of case %d", id)
	}
	return out, nil
}

// exists runs a SELECT EXISTS query through q and returns ENOTFOUND when it says false.
func exists(ctx context.Context, q db, query string, args ...any) error {
	var ok bool
	if err := q.QueryRow(ctx, query, args...).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return notFound()
	}
	return nil
}

// RecordAssessment stores a with its needs and sets its ID; a zero AssessedAt is now.
func (s *Store) RecordAssessment(ctx context.Context, a *care.Assessment) error {
	if err := a.Validate(); err != nil {
		return mapError(err, "record assessment of case %d", a.CaseID)
	}
	at := s.orNow(a.AssessedAt)
	id, _, err := insertAssessment(ctx, s.pool, a, at)
	if err != nil {
		return mapError(err, "record assessment of case %d", a.CaseID)
	}
	a.ID, a.AssessedAt = care.AssessmentID(id), at
	return nil
}

// insertAssessment inserts a, assessed at at, with its needs in one statement through q,
// and returns its id and its need areas. RecordAssessment and RecordAssessmentAs share it;
// errors come back unmapped.
func insertAssessment(ctx context.Context, q db, a *care.Assessment, at time.Time) (int64, []string, error) {
	areas, priorities, notes := make([]string, len(a.Needs)), make([]int32, len(a.Needs)), make([]string, len(a.Needs))
	for i, n := range a.Needs {
		areas[i], priorities[i], notes[i] = string(n.Area), int32(n.Priority), n.Note
	}
	var id int64
	err := q.QueryRow(ctx, `
		WITH a AS (
			INSERT INTO assessment (case_id, assessed_by, assessed_at, summary) VALUES ($1, $2, $3, $4)
			RETURNING id
		), n AS (
			INSERT INTO assessment_need (assessment_id, area, priority, note)
			SELECT a.id, x.area, x.priority, x.note
			FROM a, unnest($5::text[], $6::int[], $7::text[]) AS x (area, priority, note)
		)
		SELECT id FROM a`,
		int64(a.CaseID), int64(a.AssessedBy), at, a.Summary, areas, priorities, notes,
	).Scan(&id)
	return id, areas, err
}

// LatestAssessment returns the case's most recent assessment, its needs in the Circular's
// order of need areas.
func (s *Store) LatestAssessment(ctx context.Context, id care.CaseID) (*care.Assessment, error) {
	var a care.Assessment
	err := s.pool.QueryRow(ctx, `
		SELECT id, case_id, assessed_by, assessed_at, summary FROM assessment
		WHERE case_id = $1 ORDER BY assessed_at DESC, id DESC LIMIT 1`, int64(id),
	).Scan(&a.ID, &a.CaseID, &a.AssessedBy, &a.AssessedAt, &a.Summary)
	if err != nil {
		return nil, mapError(err, "load assessment of case %d", id)
	}
	a.AssessedAt = a.AssessedAt.UTC()
	rows, err := s.pool.Query(ctx, `SELECT area, priority, note FROM assessment_need WHERE assessment_id = $1`, int64(a.ID))
	if err != nil {
		return nil, mapError(err, "load needs of assessment %d", a.ID)
	}
	a.Needs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.Need, error) {
		var n care.Need
		var priority int16
		err := row.Scan(&n.Area, &priority, &n.Note)
		n.Priority = int(priority)
		return n, err
	})
	if err != nil {
		return nil, mapError(err, "load needs of assessment %d", a.ID)
	}
	slices.SortFunc(a.Needs, func(x, y care.Need) int {
		return slices.Index(care.NeedAreas, x.Area) - slices.Index(care.NeedAreas, y.Area)
	})
	return &a, nil
}

// CreatePlan stores p as a draft with its services and sets their IDs, in one transaction.
// A draft, submitted or returned plan of the case is replaced by it; the approved plan stays
// in force until p is approved in its turn. Services without a status are planned; a plan
// in any status but draft is EINVALID (approval goes through SubmitPlanAs and ApprovePlanAs).
// Due dates are stored as dates and come back at midnight UTC.
func (s *Store) CreatePlan(ctx context.Context, p *care.SupportPlan) error {
	return s.createPlan(ctx, p, nil)
}

// createPlan is CreatePlan; also, when not nil, queues more statements (CreatePlanAs's audit
// row) on the batch that inserts the services, with the new plan's id and creation time, so
// they commit with it at no extra round trip.
func (s *Store) createPlan(ctx context.Context, p *care.SupportPlan, also func(b *pgx.Batch, planID int64, now time.Time)) error {
	if p.Status == "" {
		p.Status = care.PlanDraft
	}
	if p.Services == nil {
		p.Services = []care.PlanService{} // as a read gives it back
	}
	for i := range p.Services {
		if p.Services[i].Status == "" {
			p.Services[i].Status = care.ServicePlanned
		}
	}
	if err := p.Validate(); err != nil {
		return mapError(err, "create plan for case %d", p.CaseID)
	}
	if p.Status != care.PlanDraft || p.ApprovedBy != 0 || p.ApprovedAt != nil {
		return mapError(care.FieldError("status", "a new plan is a draft; submit it for approval"), "create plan for case %d", p.CaseID)
	}
	now := s.now()
	ids := make([]int64, len(p.Services))
	var planID int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The case lock serialises plan changes with MoveCaseAs, which reads whether the plan is approved.
		var caseID int64
		var step care.CaseStep
		if err := tx.QueryRow(ctx, `SELECT id, step FROM care_case WHERE id = $1 FOR UPDATE`, int64(p.CaseID)).Scan(&caseID, &step); err != nil {
			return err
		}
		if step == care.StepClosed {
			return care.FieldError("step", "the case is closed")
		}
		// Two statements, not one with a CTE: the partial unique index must see the old
		// revision replaced before the new one goes in.
		if _, err := tx.Exec(ctx, `UPDATE support_plan SET status = 'replaced' WHERE case_id = $1 AND status IN ('draft', 'submitted', 'returned')`, caseID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO support_plan (case_id, goals, status, created_by, created_at)
			VALUES ($1, $2, 'draft', $3, $4)
			RETURNING id`,
			caseID, p.Goals, int64(p.CreatedBy), now,
		).Scan(&planID)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i, sv := range p.Services {
			b.Queue(`
				INSERT INTO plan_service (plan_id, area, description, provider, due, status)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				planID, string(sv.Area), sv.Description, sv.Provider, dueDate(sv.Due), string(sv.Status),
			).QueryRow(func(row pgx.Row) error { return row.Scan(&ids[i]) })
		}
		if also != nil {
			also(b, planID, now)
		}
		if b.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return mapError(err, "create plan for case %d", p.CaseID)
	}
	p.ID, p.CreatedAt, p.ApproverName = care.PlanID(planID), now, ""
	for i := range p.Services {
		p.Services[i].ID = care.ServiceID(ids[i])
		p.Services[i].Due = dueDate(p.Services[i].Due)
	}
	return nil
}

// dueDate is the calendar date of t (in t's own zone) at midnight UTC, as a date column keeps it.
func dueDate(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// planColumns is what scanPlan reads, in its order.
const planColumns = `id, case_id, goals, status, created_by, created_at, COALESCE(approved_by, 0), approver_name,
	approved_at, submitted_at, COALESCE(returned_by, 0), returned_at, return_reason`

func scanPlan(row pgx.Row) (*care.SupportPlan, error) {
	var p care.SupportPlan
	err := row.Scan(&p.ID, &p.CaseID, &p.Goals, &p.Status, &p.CreatedBy, &p.CreatedAt, &p.ApprovedBy, &p.ApproverName,
		&p.ApprovedAt, &p.SubmittedAt, &p.ReturnedBy, &p.ReturnedAt, &p.ReturnReason)
	if err != nil {
		return nil, err
	}
	p.CreatedAt, p.ApprovedAt, p.SubmittedAt, p.ReturnedAt = p.CreatedAt.UTC(), utc(p.ApprovedAt), utc(p.SubmittedAt), utc(p.ReturnedAt)
	return &p, nil
}

// CurrentPlan returns the case's plan in force (the approved one) or, before any plan is
// approved, the one on its way, with its services in the order they were added (an empty
// slice, not nil, when it has none).
func (s *Store) CurrentPlan(ctx context.Context, id care.CaseID) (*care.SupportPlan, error) {
	return s.loadPlan(ctx, s.pool, `case_id = $1 AND status <> 'replaced' ORDER BY status = 'approved' DESC LIMIT 1`, int64(id))
}

// PendingPlan returns the case's plan on its way to approval (draft, submitted or
// returned); ENOTFOUND when there is none.
func (s *Store) PendingPlan(ctx context.Context, id care.CaseID) (*care.SupportPlan, error) {
	return s.loadPlan(ctx, s.pool, `case_id = $1 AND status IN ('draft', 'submitted', 'returned')`, int64(id))
}

// loadPlan loads the plan the condition where finds, with its services.
func (s *Store) loadPlan(ctx context.Context, q db, where string, args ...any) (*care.SupportPlan, error) {
	p, err := scanPlan(q.QueryRow(ctx, `SELECT `+planColumns+` FROM support_plan WHERE `+where, args...))
	if err != nil {
		return nil, mapError(err, "load plan")
	}
	rows, err := q.Query(ctx, `
		SELECT id, area, description, provider, due, status FROM plan_service WHERE plan_id = $1 ORDER BY id`, int64(p.ID))
	if err != nil {
		return nil, mapError(err, "load services of plan %d", p.ID)
	}
	p.Services, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (care.PlanService, error) {
		var sv care.PlanService
		err := row.Scan(&sv.ID, &sv.Area, &sv.Description, &sv.Provider, &sv.Due, &sv.Status)
		sv.Due = utc(sv.Due)
		return sv, err
	})
	if err != nil {
		return nil, mapError(err, "load services of plan %d", p.ID)
	}
	return p, nil
}

// lockPlan locks plan id and its case, in that order of need: the case first, as every
// change of a case's plans takes it, then the plan.
func lockPlan(ctx context.Context, tx pgx.Tx, id care.PlanID) (*care.SupportPlan, error) {
	var caseID int64
	if err := tx.QueryRow(ctx, `SELECT case_id FROM support_plan WHERE id = $1`, int64(id)).Scan(&caseID); err != nil {
		return nil, err
	}
	var step care.CaseStep
	if err := tx.QueryRow(ctx, `SELECT step FROM care_case WHERE id = $1 FOR UPDATE`, caseID).Scan(&step); err != nil {
		return nil, err
	}
	if step == care.StepClosed {
		return nil, care.FieldError("step", "the case is closed")
	}
	return scanPlan(tx.QueryRow(ctx, `SELECT `+planColumns+` FROM support_plan WHERE id = $1 FOR UPDATE`, int64(id)))
}

// submitPlan is SubmitPlanAs's work inside tx; errors come back unmapped.
func submitPlan(ctx context.Context, tx pgx.Tx, id care.PlanID, now time.Time) (*care.SupportPlan, error) {
	p, err := lockPlan(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != care.PlanDraft && p.Status != care.PlanReturned {
		return nil, care.Errorf(care.ECONFLICT, "only a draft or returned plan can be submitted; this one is %s", p.Status)
	}
	if _, err := tx.Exec(ctx, `UPDATE support_plan SET status = 'submitted', submitted_at = $2 WHERE id = $1`, int64(id), now); err != nil {
		return nil, err
	}
	p.Status, p.SubmittedAt = care.PlanSubmitted, &now
	return p, nil
}

// approver returns staff member by if they may approve plans; EUNAUTHORIZED otherwise.
func approver(ctx context.Context, tx pgx.Tx, by care.ManagerID) (*care.CaseManager, error) {
	m, err := scanManager(tx.QueryRow(ctx, `SELECT `+managerColumns+` FROM case_manager WHERE id = $1`, int64(by)))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (!m.Active || (m.Role != care.RoleApprover && m.Role != care.RoleAdmin))) {
		return nil, care.Errorf(care.EUNAUTHORIZED, "only an approver may approve or return a support plan")
	}
	return m, err
}

// approvePlan is ApprovePlanAs's work inside tx: it locks the case and plan id, checks by and
// the plan's status, replaces the plan in force and records the approval. The fixtures'
// ApprovePlan shares it; errors come back unmapped.
func approvePlan(ctx context.Context, tx pgx.Tx, id care.PlanID, by care.ManagerID, at time.Time) (*care.SupportPlan, error) {
	p, err := lockPlan(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	m, err := approver(ctx, tx, by)
	if err != nil {
		return nil, err
	}
	switch p.Status {
	case care.PlanApproved:
		return nil, care.Errorf(care.ECONFLICT, "the plan is already approved")
	case care.PlanReplaced:
		return nil, care.Errorf(care.ECONFLICT, "the plan was replaced by a newer one")
	case care.PlanDraft, care.PlanReturned:
		return nil, care.Errorf(care.ECONFLICT, "the plan has not been submitted for approval")
	}
	// Two statements: the partial unique index must see the old plan replaced first.
	if _, err := tx.Exec(ctx, `UPDATE support_plan SET status = 'replaced' WHERE case_id = $1 AND status = 'approved'`, int64(p.CaseID)); err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, `
		UPDATE support_plan SET status = 'approved', approved_by = $2, approver_name = $3, approved_at = $4
		WHERE id = $1`, int64(id), int64(by), m.Name, at)
	if err != nil {
		return nil, err
	}
	p.Status, p.ApprovedBy, p.ApproverName, p.ApprovedAt = care.PlanApproved, by, m.Name, &at
	return p, nil
}

// returnPlan sends submitted plan id back to its case manager with a reason, inside tx;
// errors come back unmapped.
func returnPlan(ctx context.Context, tx pgx.Tx, id care.PlanID, by care.ManagerID, reason string, at time.Time) (*care.SupportPlan, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, care.FieldError("reason", "say why the plan goes back")
	case len([]rune(reason)) > care.MaxNoteRunes:
		return nil, care.FieldError("reason", "reason is longer than %d characters", care.MaxNoteRunes)
	}
	p, err := lockPlan(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := approver(ctx, tx, by); err != nil {
		return nil, err
	}
	if p.Status != care.PlanSubmitted {
		return nil, care.Errorf(care.ECONFLICT, "only a submitted plan can be returned; this one is %s", p.Status)
	}
	_, err = tx.Exec(ctx, `
		UPDATE support_plan SET status = 'returned', returned_by = $2, returned_at = $3, return_reason = $4
		WHERE id = $1`, int64(id), int64(by), at, reason)
	if err != nil {
		return nil, err
	}
	p.Status, p.ReturnedBy, p.ReturnedAt, p.ReturnReason = care.PlanReturned, by, &at, reason
	return p, nil
}

func validServiceStatus(st care.ServiceStatus) error {
	if !st.Valid() {
		return care.FieldError("status", "unknown service status %q", st)
	}
	return nil
}

// setServiceStatus stores service id's status through q; ENOTFOUND when there is no such
// service; errors come back unmapped.
func setServiceStatus(ctx context.Context, q db, id care.ServiceID, st care.ServiceStatus) error {
	tag, err := q.Exec(ctx, `UPDATE plan_service SET status = $2 WHERE id = $1`, int64(id), string(st))
	if err == nil && tag.RowsAffected() == 0 {
		err = notFound()
	}
	return err
}
