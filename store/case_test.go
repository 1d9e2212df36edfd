package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/store/storetest"
)

func TestCaseRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	require.NotZero(t, w.kase.ID)
	require.Equal(t, care.StepAssessment, w.kase.Step)
	require.Equal(t, &care.Case{ID: w.kase.ID, PersonID: w.person.ID, ManagerID: w.manager.ID, Commune: w.commune,
		Step: care.StepAssessment, OpenedAt: start, UpdatedAt: start}, w.kase)

	got, err := e.s.Case(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, w.kase, got)
	got, err = e.s.OpenCaseOf(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.Equal(t, w.kase, got)

	// Without a commune the case takes the person's.
	p := e.fx.Person(w.commune)
	c := &care.Case{PersonID: p.ID, ManagerID: w.manager.ID}
	require.NoError(t, e.s.OpenCase(e.ctx, c))
	require.Equal(t, w.commune, c.Commune)
}

func TestCaseErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"second open case for a person", func() error {
			return e.s.OpenCase(e.ctx, &care.Case{PersonID: w.person.ID, ManagerID: w.manager.ID, Commune: w.commune})
		}, care.ECONFLICT},
		{"case for an unknown person", func() error {
			return e.s.OpenCase(e.ctx, &care.Case{PersonID: 424242, ManagerID: w.manager.ID, Commune: w.commune})
		}, care.EINVALID},
		{"unknown case", func() error { _, err := e.s.Case(e.ctx, 424242); return err }, care.ENOTFOUND},
		{"no open case", func() error {
			_, err := e.s.OpenCaseOf(e.ctx, e.fx.Person(w.commune).ID)
			return err
		}, care.ENOTFOUND},
		{"move unknown case", func() error {
			_, err := e.s.MoveCaseAs(e.ctx, w.manager.ID, 424242, care.EventPlan, "")
			return err
		}, care.ENOTFOUND},
		{"history of unknown case", func() error { _, err := e.s.CaseHistory(e.ctx, 424242); return err }, care.ENOTFOUND},
		{"no assessment yet", func() error { _, err := e.s.LatestAssessment(e.ctx, w.kase.ID); return err }, care.ENOTFOUND},
		{"invalid assessment", func() error {
			return e.s.RecordAssessment(e.ctx, &care.Assessment{CaseID: w.kase.ID, AssessedBy: w.manager.ID,
				Needs: []care.Need{{Area: care.NeedHealth, Priority: 4}}})
		}, care.EINVALID},
		{"assessment of unknown case", func() error {
			return e.s.RecordAssessment(e.ctx, &care.Assessment{CaseID: 424242, AssessedBy: w.manager.ID,
				Needs: []care.Need{{Area: care.NeedHealth, Priority: 1}}})
		}, care.EINVALID},
		{"no plan yet", func() error { _, err := e.s.CurrentPlan(e.ctx, w.kase.ID); return err }, care.ENOTFOUND},
		{"plan for unknown case", func() error {
			return e.s.CreatePlan(e.ctx, &care.SupportPlan{CaseID: 424242, Goals: []string{"g"}, CreatedBy: w.manager.ID})
		}, care.ENOTFOUND},
		{"plan without goals", func() error {
			return e.s.CreatePlan(e.ctx, &care.SupportPlan{CaseID: w.kase.ID, CreatedBy: w.manager.ID})
		}, care.EINVALID},
		{"plan created approved", func() error {
			return e.s.CreatePlan(e.ctx, &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"g"},
				Status: care.PlanApproved, CreatedBy: w.manager.ID})
		}, care.EINVALID},
		{"approve unknown plan", func() error {
			return e.approve(424242, w.manager.ID, start)
		}, care.ENOTFOUND},
		{"unknown service", func() error { return e.s.SetServiceStatusAs(e.ctx, 0, 424242, care.ServiceDone) }, care.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, tt.code, tt.run())
		})
	}
}

func TestOpenCaseAgainAfterClosing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	_, err := e.s.Pool().Exec(e.ctx, `UPDATE care_case SET step = 'closed', closed_at = now(), close_reason = 'other' WHERE id = $1`, int64(w.kase.ID))
	require.NoError(t, err)
	_, err = e.s.OpenCaseOf(e.ctx, w.person.ID)
	requireCode(t, care.ENOTFOUND, err)
	again := e.fx.OpenCase(w.person, w.manager)
	require.NotEqual(t, w.kase.ID, again.ID)
	got, err := e.s.OpenCaseOf(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.Equal(t, again.ID, got.ID)
}

func TestAssessmentRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	first := &care.Assessment{CaseID: w.kase.ID, AssessedBy: w.manager.ID, AssessedAt: start.Add(-48 * time.Hour),
		Summary: "lần đầu", Needs: []care.Need{{Area: care.NeedOther, Priority: 0}}}
	require.NoError(t, e.s.RecordAssessment(e.ctx, first))
	require.NotZero(t, first.ID)

	// Needs come back in the Circular's order, whatever order they were given in.
	second := &care.Assessment{CaseID: w.kase.ID, AssessedBy: w.manager.ID, Summary: "Cần xe lăn",
		Needs: []care.Need{
			{Area: care.NeedPsychological, Priority: 1, Note: "lo âu"},
			{Area: care.NeedLivelihood, Priority: 3, Note: "mất việc"},
			{Area: care.NeedHealth, Priority: 2},
		}}
	require.NoError(t, e.s.RecordAssessment(e.ctx, second))
	require.Equal(t, start, second.AssessedAt, "a zero time is the store's now")

	got, err := e.s.LatestAssessment(e.ctx, w.kase.ID)
	require.NoError(t, err)
	want := *second
	want.Needs = []care.Need{second.Needs[1], second.Needs[2], second.Needs[0]}
	require.Equal(t, &want, got)
}

func TestPlanRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	due := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	p := &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"đi học lại", "có xe lăn"}, CreatedBy: w.manager.ID,
		Services: []care.PlanService{
			{Area: care.NeedHealth, Description: "xe lăn", Provider: "Trung tâm PHCN", Due: &due},
			{Area: care.NeedEducation, Description: "học nghề", Status: care.ServiceInProgress},
		}}
	require.NoError(t, e.s.CreatePlan(e.ctx, p))
	require.NotZero(t, p.ID)
	require.Equal(t, care.PlanDraft, p.Status)
	require.Equal(t, start, p.CreatedAt)
	require.Equal(t, care.ServicePlanned, p.Services[0].Status)
	require.NotZero(t, p.Services[0].ID)
	require.Less(t, p.Services[0].ID, p.Services[1].ID)

	got, err := e.s.CurrentPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)

	require.NoError(t, e.s.SetServiceStatusAs(e.ctx, 0, p.Services[1].ID, care.ServiceDone))
	requireCode(t, care.EINVALID, e.s.SetServiceStatusAs(e.ctx, 0, p.Services[0].ID, "lost"))
	got, err = e.s.CurrentPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, care.ServicePlanned, got.Services[0].Status)
	require.Equal(t, care.ServiceDone, got.Services[1].Status)

	// A due time in another zone is kept as that zone's calendar date.
	hcm := time.FixedZone("ICT", 7*3600)
	late := time.Date(2026, 7, 1, 5, 0, 0, 0, hcm) // 30 June in UTC
	q := &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"g"}, CreatedBy: w.manager.ID,
		Services: []care.PlanService{{Area: care.NeedOther, Description: "d", Due: &late}}}
	require.NoError(t, e.s.CreatePlan(e.ctx, q))
	got, err = e.s.CurrentPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), *got.Services[0].Due)
	require.Equal(t, q, got)
}

func TestARevisionLeavesThePlanInForceUntilApproved(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	approver := e.fx.Staff(w.commune, care.RoleApprover, 0)
	old := &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"cũ"}, CreatedBy: w.manager.ID,
		Services: []care.PlanService{{Area: care.NeedHealth, Description: "xe lăn"}}}
	require.NoError(t, e.s.CreatePlan(e.ctx, old))
	require.NoError(t, e.approve(old.ID, approver.ID, start))

	e.clock.Advance(time.Hour)
	revised := &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"mới"}, CreatedBy: w.manager.ID}
	require.NoError(t, e.s.CreatePlan(e.ctx, revised))
	got, err := e.s.CurrentPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, old.ID, got.ID, "the approved plan stays in force while its revision is a draft")
	require.Len(t, got.Services, 1)
	pending, err := e.s.PendingPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, revised.ID, pending.ID)
	require.Equal(t, care.PlanDraft, pending.Status)

	// A second draft replaces the first, never the plan in force.
	again := &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"mới hơn"}, CreatedBy: w.manager.ID}
	require.NoError(t, e.s.CreatePlan(e.ctx, again))
	requireCode(t, care.ECONFLICT, e.approve(revised.ID, approver.ID, start))            // a replaced draft
	requireCode(t, care.ECONFLICT, e.s.ApprovePlan(e.ctx, again.ID, approver.ID, start)) // a draft is submitted first
	got, err = e.s.CurrentPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, old.ID, got.ID)

	require.NoError(t, e.approve(again.ID, approver.ID, start))
	got, err = e.s.CurrentPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, again.ID, got.ID, "the approved revision is in force")
	_, err = e.s.PendingPlan(e.ctx, w.kase.ID)
	requireCode(t, care.ENOTFOUND, err)
	var status string
	require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT status FROM support_plan WHERE id = $1`, int64(old.ID)).Scan(&status))
	require.Equal(t, string(care.PlanReplaced), status)
	requireCode(t, care.ECONFLICT, e.approve(old.ID, approver.ID, start))
}

func TestApprovePlan(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	approver := e.fx.Staff(w.commune, care.RoleApprover, 0)
	admin := e.fx.Staff(w.commune, care.RoleAdmin, 0)
	retired := &care.CaseManager{Name: "Cũ", Phone: e.fx.Phone(), Commune: w.commune, Role: care.RoleApprover}
	require.NoError(t, e.s.CreateManager(e.ctx, retired))
	supervisor := e.fx.Staff(w.commune, care.RoleSupervisor, 0)
	at := time.Date(2026, 3, 3, 2, 30, 0, 0, time.UTC)

	tests := []struct {
		name string
		by   care.ManagerID
		code string // "" for success
	}{
		{"case manager may not approve", w.manager.ID, care.EUNAUTHORIZED},
		{"supervisor may not approve", supervisor.ID, care.EUNAUTHORIZED},
		{"inactive approver may not approve", retired.ID, care.EUNAUTHORIZED},
		{"unknown staff may not approve", 424242, care.EUNAUTHORIZED},
		{"approver approves", approver.ID, ""},
		{"admin approves", admin.ID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.fx.OpenCase(e.fx.Person(w.commune), w.manager)
			p := &care.SupportPlan{CaseID: c.ID, Goals: []string{"g"}, CreatedBy: w.manager.ID}
			require.NoError(t, e.s.CreatePlan(e.ctx, p))
			err := e.approve(p.ID, tt.by, at)
			got, gerr := e.s.CurrentPlan(e.ctx, c.ID)
			require.NoError(t, gerr)
			now := start
			p.Status, p.SubmittedAt = care.PlanSubmitted, &now
			if tt.code != "" {
				requireCode(t, tt.code, err)
				require.Equal(t, p, got, "a refused approval changes nothing")
				return
			}
			require.NoError(t, err)
			p.Status, p.ApprovedBy, p.ApproverName, p.ApprovedAt = care.PlanApproved, tt.by, "Chị Lan", &at
			require.Equal(t, p, got)
			requireCode(t, care.ECONFLICT, e.approve(p.ID, tt.by, at))
		})
	}
}

// TestMoveCase walks a case through its whole life cycle against the records, trying the
// illegal moves on the way: each is EINVALID and leaves the row and the history as they were.
func TestMoveCase(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	approver := e.fx.Staff(w.commune, care.RoleApprover, 0)
	id := w.kase.ID

	type step struct {
		name  string
		prep  func()
		ev    care.CaseEvent
		by    care.ManagerID
		code  string // "" for a legal move
		to    care.CaseStep
		extra string
	}
	var plan *care.SupportPlan
	steps := []step{
		{name: "plan with no assessment", ev: care.EventPlan, code: care.EINVALID},
		{name: "close before evaluation", ev: care.EventClose, code: care.EINVALID},
		{name: "unknown event", ev: "archive", code: care.EINVALID},
		{name: "plan once assessed", ev: care.EventPlan, to: care.StepPlanning, prep: func() {
			require.NoError(t, e.s.RecordAssessment(e.ctx, &care.Assessment{CaseID: id, AssessedBy: w.manager.ID,
				Needs: []care.Need{{Area: care.NeedHealth, Priority: 2}}}))
		}},
		{name: "implement with no plan", ev: care.EventImplement, code: care.EINVALID},
		{name: "implement a draft plan", ev: care.EventImplement, code: care.EINVALID, prep: func() {
			plan = &care.SupportPlan{CaseID: id, Goals: []string{"g"}, CreatedBy: w.manager.ID}
			require.NoError(t, e.s.CreatePlan(e.ctx, plan))
		}},
		{name: "by someone unknown", ev: care.EventImplement, by: 424242, code: care.EINVALID, prep: func() {
			require.NoError(t, e.approve(plan.ID, approver.ID, start))
		}},
		{name: "implement the approved plan", ev: care.EventImplement, to: care.StepImplementation, extra: "bắt đầu"},
		{name: "evaluate before monitoring", ev: care.EventEvaluate, code: care.EINVALID},
		{name: "monitor", ev: care.EventMonitor, to: care.StepMonitoring},
		{name: "revise from monitoring", ev: care.EventRevise, to: care.StepPlanning},
		{name: "implement the plan in force while its revision is a draft", ev: care.EventImplement, to: care.StepImplementation, prep: func() {
			require.NoError(t, e.s.CreatePlan(e.ctx, &care.SupportPlan{CaseID: id, Goals: []string{"g2"}, CreatedBy: w.manager.ID}))
		}},
		{name: "monitor with the revision approved", ev: care.EventMonitor, to: care.StepMonitoring, prep: func() {
			p, err := e.s.PendingPlan(e.ctx, id)
			require.NoError(t, err)
			require.NoError(t, e.approve(p.ID, approver.ID, start))
		}},
		{name: "revise from implementation", ev: care.EventRevise, to: care.StepPlanning},
		{name: "implement again", ev: care.EventImplement, to: care.StepImplementation},
		{name: "monitor again", ev: care.EventMonitor, to: care.StepMonitoring},
		{name: "evaluate", ev: care.EventEvaluate, to: care.StepEvaluation},
		{name: "reassess", ev: care.EventReassess, to: care.StepAssessment},
		{name: "plan from the earlier assessment", ev: care.EventPlan, to: care.StepPlanning},
		{name: "implement", ev: care.EventImplement, to: care.StepImplementation},
		{name: "monitor once more", ev: care.EventMonitor, to: care.StepMonitoring},
		{name: "evaluate once more", ev: care.EventEvaluate, to: care.StepEvaluation},
		{name: "close without a reason", ev: care.EventClose, code: care.EINVALID},
	}

	want := []care.CaseTransition{}
	for _, st := range steps {
		if st.prep != nil {
			st.prep()
		}
		before, err := e.s.Case(e.ctx, id)
		require.NoError(t, err)
		at := e.clock.Advance(time.Hour)
		by := st.by
		if by == 0 {
			by = w.manager.ID
		}
		got, err := e.s.MoveCaseAs(e.ctx, by, id, st.ev, st.extra)
		if st.code != "" {
			requireCode(t, st.code, err)
			require.Nil(t, got, st.name)
			after, err := e.s.Case(e.ctx, id)
			require.NoError(t, err)
			require.Equal(t, before, after, "%s: an illegal move leaves the row unchanged", st.name)
		} else {
			require.NoError(t, err, st.name)
			want = append(want, care.CaseTransition{CaseID: id, Event: st.ev, From: before.Step, To: st.to, By: by, At: at, Note: st.extra})
			require.Equal(t, st.to, got.Step, st.name)
			require.Equal(t, at, got.UpdatedAt, st.name)
			stored, err := e.s.Case(e.ctx, id)
			require.NoError(t, err)
			require.Equal(t, got, stored, st.name)
		}
		history, err := e.s.CaseHistory(e.ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, history, st.name)
	}

	closed, err := e.s.CloseCaseAs(e.ctx, w.manager.ID, id, care.Closure{Reason: care.CloseGoalsMet}, flows.NewNews(nil, nil))
	require.NoError(t, err)
	require.NotNil(t, closed.ClosedAt)
	require.Equal(t, closed.UpdatedAt, *closed.ClosedAt)
	_, err = e.s.OpenCaseOf(e.ctx, w.person.ID)
	requireCode(t, care.ENOTFOUND, err)
	for _, ev := range []care.CaseEvent{care.EventReassess, care.EventPlan} {
		_, err = e.s.MoveCaseAs(e.ctx, w.manager.ID, id, ev, "")
		requireCode(t, care.EINVALID, err)
	}
}

func TestCaseHistoryOfANewCaseIsEmpty(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	history, err := e.s.CaseHistory(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Empty(t, history)
}

// TestMoveCaseLocksTheRow races the same move from several connections: with the row locked
// while the guards are checked, exactly one wins and the others find the case already moved.
// A transaction holding the row lock lines them all up first, so the race always happens.
func TestMoveCaseLocksTheRow(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	require.NoError(t, e.s.RecordAssessment(e.ctx, &care.Assessment{CaseID: w.kase.ID, AssessedBy: w.manager.ID,
		Needs: []care.Need{{Area: care.NeedFamily, Priority: 1}}}))
	blocker, err := e.s.Pool().Begin(e.ctx)
	require.NoError(t, err)
	defer blocker.Rollback(e.ctx) //nolint:errcheck // committed below
	_, err = blocker.Exec(e.ctx, `SELECT id FROM care_case WHERE id = $1 FOR UPDATE`, int64(w.kase.ID))
	require.NoError(t, err)

	const n = 4
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := e.s.MoveCaseAs(e.ctx, w.manager.ID, w.kase.ID, care.EventPlan, "")
			errs <- err
		})
	}
	require.Eventually(t, func() bool {
		var waiting int
		err := e.s.Pool().QueryRow(e.ctx, `
			SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return err == nil && waiting == n
	}, 10*time.Second, 10*time.Millisecond, "every mover waits for the row")
	require.NoError(t, blocker.Commit(e.ctx))
	wg.Wait()
	close(errs)

	won := 0
	for err := range errs {
		if err == nil {
			won++
			continue
		}
		requireCode(t, care.EINVALID, err)
	}
	require.Equal(t, 1, won)
	history, err := e.s.CaseHistory(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Len(t, history, 1)
}

// TestMoveCaseSeesAPlanReplacedWhileItWaited has MoveCase wait for the case row while a plan
// change holds it: once it gets the lock it must judge by the new draft, not the approved plan
// the change replaced.
func TestMoveCaseSeesAPlanReplacedWhileItWaited(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	approver := e.fx.Staff(w.commune, care.RoleApprover, 0)
	require.NoError(t, e.s.RecordAssessment(e.ctx, &care.Assessment{CaseID: w.kase.ID, AssessedBy: w.manager.ID,
		Needs: []care.Need{{Area: care.NeedFamily, Priority: 1}}}))
	_, err := e.s.MoveCaseAs(e.ctx, w.manager.ID, w.kase.ID, care.EventPlan, "")
	require.NoError(t, err)
	p := &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"g"}, CreatedBy: w.manager.ID}
	require.NoError(t, e.s.CreatePlan(e.ctx, p))
	require.NoError(t, e.approve(p.ID, approver.ID, start))

	// What CreatePlan does, held open.
	change, err := e.s.Pool().Begin(e.ctx)
	require.NoError(t, err)
	defer change.Rollback(e.ctx) //nolint:errcheck // committed below
	_, err = change.Exec(e.ctx, `SELECT id FROM care_case WHERE id = $1 FOR UPDATE`, int64(w.kase.ID))
	require.NoError(t, err)
	_, err = change.Exec(e.ctx, `UPDATE support_plan SET status = 'replaced' WHERE case_id = $1`, int64(w.kase.ID))
	require.NoError(t, err)
	_, err = change.Exec(e.ctx, `INSERT INTO support_plan (case_id, goals, created_by) VALUES ($1, '{g2}', $2)`,
		int64(w.kase.ID), int64(w.manager.ID))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := e.s.MoveCaseAs(e.ctx, w.manager.ID, w.kase.ID, care.EventImplement, "")
		done <- err
	}()
	require.Eventually(t, func() bool {
		var waiting int
		err := e.s.Pool().QueryRow(e.ctx, `
			SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
		return err == nil && waiting == 1
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, change.Commit(e.ctx))
	requireCode(t, care.EINVALID, <-done)
	c, err := e.s.Case(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, care.StepPlanning, c.Step)
}

func TestZeroTimesAreNow(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	approver := e.fx.Staff(w.commune, care.RoleApprover, 0)
	now := e.clock.Advance(time.Hour)

	p := &care.SupportPlan{CaseID: w.kase.ID, Goals: []string{"g"}, CreatedBy: w.manager.ID}
	require.NoError(t, e.s.CreatePlan(e.ctx, p))
	require.NoError(t, e.approve(p.ID, approver.ID, time.Time{}))
	got, err := e.s.CurrentPlan(e.ctx, w.kase.ID)
	require.NoError(t, err)
	require.Equal(t, &now, got.ApprovedAt)

	c := e.checkIn(w, e.schedule(w), start, care.CheckInSent)
	require.NoError(t, storetest.AnswerCheckIn(e.ctx, e.s, c.ID, care.CheckInFine, time.Time{}))
	answered, err := storetest.CheckIn(e.ctx, e.s, c.ID)
	require.NoError(t, err)
	require.Equal(t, &now, answered.AnsweredAt)

	x, err := e.s.AcknowledgeEscalationAs(e.ctx, w.manager.ID, e.escalation(w).ID, time.Time{})
	require.NoError(t, err)
	require.Equal(t, &now, x.AckedAt)
	x, err = e.s.ResolveEscalationAs(e.ctx, w.manager.ID, x.ID, "", time.Time{})
	require.NoError(t, err)
	require.Equal(t, &now, x.ResolvedAt)
}

// TestStoppingCheckIns: deactivating a schedule cancels only the check-ins not sent yet (a
// question asked stays open to its answer and its deadline); closing the case cancels every
// check-in not answered. Both stop the schedule; answered check-ins stay as they are.
func TestStoppingCheckIns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		stop func(e *env, w world, sc *care.CheckInSchedule) error
		want map[care.CheckInStatus]care.CheckInStatus
	}{
		{"deactivate the schedule", func(e *env, w world, sc *care.CheckInSchedule) error {
			_, err := e.s.DeactivateScheduleAs(e.ctx, w.manager.ID, sc.ID)
			return err
		}, map[care.CheckInStatus]care.CheckInStatus{
			care.CheckInPending: care.CheckInCancelled, care.CheckInSent: care.CheckInSent,
			care.CheckInRetried: care.CheckInRetried, care.CheckInFine: care.CheckInFine,
		}},
		{"close the case", func(e *env, w world, _ *care.CheckInSchedule) error {
			_, err := e.s.CloseCaseAs(e.ctx, w.manager.ID, w.kase.ID, care.Closure{Reason: care.CloseGoalsMet}, flows.NewNews(nil, nil))
			return err
		}, map[care.CheckInStatus]care.CheckInStatus{
			care.CheckInPending: care.CheckInCancelled, care.CheckInSent: care.CheckInCancelled,
			care.CheckInRetried: care.CheckInCancelled, care.CheckInFine: care.CheckInFine,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			w := e.world()
			sc := e.schedule(w)
			ids := map[care.CheckInStatus]care.CheckInID{}
			due := start.Add(-72 * time.Hour)
			for from := range tt.want {
				ids[from] = e.checkIn(w, sc, due, from).ID
				due = due.Add(time.Hour)
			}
			require.NoError(t, tt.stop(e, w, sc))
			for from, want := range tt.want {
				got, err := storetest.CheckIn(e.ctx, e.s, ids[from])
				require.NoError(t, err)
				require.Equal(t, want, got.Status, "a check-in %s", from)
			}
			active := storetest.One[bool](t, e.s.Pool(), `SELECT active FROM checkin_schedule WHERE id = $1`, int64(sc.ID))
			require.False(t, active)
		})
	}
}

// TestClosingResolvesCheckInEscalationsAudited: closing a case resolves its open and
// acknowledged check-in escalations, each with its own audit entry by the staff member who
// closed it, as if resolved one by one; a help request's escalation stays open.
func TestClosingResolvesCheckInEscalationsAudited(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	open, acked := e.escalation(w), e.escalation(w)
	help := &care.Escalation{Reason: care.ReasonHelpRequest, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.commune}
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, help))
	_, err := e.s.AcknowledgeEscalationAs(e.ctx, w.manager.ID, acked.ID, start)
	require.NoError(t, err)

	at := e.clock.Advance(time.Hour)
	_, err = e.s.CloseCaseAs(e.ctx, w.manager.ID, w.kase.ID, care.Closure{Reason: care.CloseGoalsMet}, flows.NewNews(nil, nil))
	require.NoError(t, err)

	for _, x := range []*care.Escalation{open, acked} {
		got, err := e.s.Escalation(e.ctx, x.ID)
		require.NoError(t, err)
		require.Equal(t, care.EscalationResolved, got.Status)
		require.Equal(t, w.manager.ID, got.ResolvedBy)
		require.Equal(t, "case closed", got.Outcome)
		entries, err := storetest.AuditLog(e.ctx, e.s, "escalation", int64(x.ID))
		require.NoError(t, err)
		last := entries[len(entries)-1]
		require.Equal(t, care.AuditEscalationResolve, last.Action, "escalation %d", x.ID)
		require.Equal(t, w.manager.ID, last.ActorID)
		require.Equal(t, at, last.At)
	}
	got, err := e.s.Escalation(e.ctx, help.ID)
	require.NoError(t, err)
	require.Equal(t, care.EscalationOpen, got.Status, "someone still needs help")
	entries, err := storetest.AuditLog(e.ctx, e.s, "escalation", int64(help.ID))
	require.NoError(t, err)
	require.Empty(t, entries)
}
