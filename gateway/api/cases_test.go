package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func TestOpenCase(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	other, _ := e.staff(w.a, care.RoleCaseManager, 0)
	p1, p2, p3 := e.Person(w.a), e.Person(w.a), e.Person(w.a)

	c := e.ok(http.StatusCreated, w.token, "POST", path("/persons/%d/cases", p1.ID), nil) // the body is optional
	require.Equal(t, "assessment", c["step"])
	require.Equal(t, float64(1), c["step_number"])
	require.Equal(t, float64(other.ID), c["manager_id"], "the commune's case manager with the fewest open cases")
	require.Equal(t, c, e.ok(http.StatusOK, w.token, "GET", path("/persons/%d/case", p1.ID), nil))
	require.Equal(t, []string{care.AuditCaseOpen}, e.audit("case", id(c, "id"), w.manager.ID))

	c = e.ok(http.StatusCreated, w.token, "POST", path("/persons/%d/cases", p2.ID), map[string]any{"manager_id": w.manager.ID})
	require.Equal(t, float64(w.manager.ID), c["manager_id"])

	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", path("/persons/%d/cases", p1.ID), map[string]any{})
	bManager, _ := e.staff(w.b, care.RoleCaseManager, 0)
	fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", path("/persons/%d/cases", p3.ID), map[string]any{"manager_id": bManager.ID})
	require.Contains(t, fields, "manager_id", "a case manager of another commune")
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", path("/persons/%d/cases", p3.ID), map[string]any{"manager_id": 999999})
	require.Contains(t, fields, "manager_id")
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", path("/persons/%d/case", p3.ID), nil)
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", path("/cases/999999"), nil)
}

func TestCaseThroughTheFiveSteps(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	approver, approverToken := e.staff(w.a, care.RoleApprover, 0)
	_, adminToken := e.staff(w.b, care.RoleAdmin, 0)
	kase := path("/cases/%d", w.kase.ID)
	move := func(token, event string) map[string]any {
		return e.ok(http.StatusOK, token, "POST", kase+"/events", map[string]any{"event": event, "note": "họp gia đình"})
	}

	// Step 1: no planning before the needs are assessed.
	fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/events", map[string]any{"event": "plan"})
	require.Contains(t, fields, "step")
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/events", map[string]any{"event": "fly"})
	require.Contains(t, fields, "event")
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/events", map[string]any{})
	require.Contains(t, fields, "event")

	for _, bad := range []map[string]any{
		{"needs": []any{}},
		{"needs": []any{map[string]any{"area": "wealth", "priority": 1}}},
		{"needs": []any{map[string]any{"area": "health", "priority": 9}}},
		{"needs": []any{map[string]any{"area": "health", "priority": 1}}, "assessed_at": "yesterday"},
	} {
		fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/assessments", bad)
		require.NotEmpty(t, fields, "%v", bad)
	}
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", kase+"/assessments/latest", nil)
	a := e.ok(http.StatusCreated, w.token, "POST", kase+"/assessments", map[string]any{
		"needs": []any{
			map[string]any{"area": "education", "priority": 2, "note": "học nghề"},
			map[string]any{"area": "health", "priority": 3},
		},
		"summary": "cần xe lăn",
	})
	require.Equal(t, float64(w.manager.ID), a["assessed_by"])
	latest := e.ok(http.StatusOK, w.token, "GET", kase+"/assessments/latest", nil)
	require.Equal(t, "health", latest["needs"].([]any)[0].(map[string]any)["area"], "needs in the Circular's order")
	require.Equal(t, "planning", move(w.token, "plan")["step"])

	// Step 2: a plan, approved only by an approver (or an admin).
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", kase+"/plan", nil)
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/plans", map[string]any{"goals": []string{}})
	require.Contains(t, fields, "goals")
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/plans", map[string]any{
		"goals": []string{"đi học"}, "services": []any{map[string]any{"area": "health", "description": "x", "due": "soon"}}})
	require.Contains(t, fields, "services")
	plan := e.ok(http.StatusCreated, w.token, "POST", kase+"/plans", map[string]any{
		"goals": []string{"Đi học nghề may"},
		"services": []any{map[string]any{"area": "health", "description": "Cấp xe lăn", "provider": "Trạm y tế", "due": "2026-04-01"},
			map[string]any{"area": "education", "description": "Học nghề"}},
	})
	require.Equal(t, "draft", plan["status"])
	require.Equal(t, "2026-04-01", plan["services"].([]any)[0].(map[string]any)["due"])
	require.Equal(t, "planned", plan["services"].([]any)[1].(map[string]any)["status"])
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/events", map[string]any{"event": "implement"})
	require.Contains(t, fields, "step", "an unapproved plan is not implemented")

	e.fails(http.StatusForbidden, "forbidden", w.token, "POST", kase+"/plan/revision/approve", nil)
	e.fails(http.StatusConflict, care.ECONFLICT, approverToken, "POST", kase+"/plan/revision/approve", nil) // not submitted
	require.Equal(t, "submitted", e.ok(http.StatusOK, w.token, "POST", kase+"/plan/revision/submit", nil)["status"])
	approved := e.ok(http.StatusOK, approverToken, "POST", kase+"/plan/revision/approve", nil)
	require.Equal(t, "approved", approved["status"])
	require.Equal(t, float64(approver.ID), approved["approved_by"], "the approver is the token's staff member")
	require.Equal(t, approver.Name, approved["approver_name"])
	require.Equal(t, start.Format(timeLayoutJSON), approved["approved_at"])
	e.fails(http.StatusNotFound, care.ENOTFOUND, adminToken, "POST", kase+"/plan/revision/approve", nil) // nothing on its way
	require.Equal(t, approved, e.ok(http.StatusOK, w.token, "GET", kase+"/plan", nil))

	// Steps 3 to 5, and the history says who moved the case each time.
	require.Equal(t, "implementation", move(w.token, "implement")["step"])
	svc := id(plan["services"].([]any)[0].(map[string]any), "id")
	updated := e.ok(http.StatusOK, w.token, "PATCH", path("/cases/%d/plan/services/%d", w.kase.ID, svc), map[string]any{"status": "in_progress"})
	require.Equal(t, "in_progress", updated["services"].([]any)[0].(map[string]any)["status"])
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "PATCH", path("/cases/%d/plan/services/%d", w.kase.ID, svc), map[string]any{"status": "half"})
	require.Contains(t, fields, "status")
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "PATCH", path("/cases/%d/plan/services/999999", w.kase.ID), map[string]any{"status": "done"})
	require.Equal(t, []string{care.AuditServiceStatus}, e.audit("service", svc, w.manager.ID))
	require.Equal(t, "monitoring", move(approverToken, "monitor")["step"])
	require.Equal(t, "evaluation", move(w.token, "evaluate")["step"])
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/events", map[string]any{"event": "close"})
	require.Contains(t, fields, "event", "a case closes for a reason")
	closed := e.ok(http.StatusOK, w.token, "POST", kase+"/close", map[string]any{"reason": "goals_met", "note": "họp gia đình"})
	require.Equal(t, "closed", closed["step"])
	require.Equal(t, "goals_met", closed["close_reason"])
	require.NotNil(t, closed["closed_at"])
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", kase+"/appointments", map[string]any{"at": "2026-03-10T09:00:00Z"})

	history := e.ok(http.StatusOK, w.token, "GET", kase+"/history", nil)
	var got []string
	for _, tr := range history["items"].([]any) {
		tr := tr.(map[string]any)
		got = append(got, tr["event"].(string)+" by "+map[float64]string{float64(w.manager.ID): "manager", float64(approver.ID): "approver"}[tr["by"].(float64)])
		require.Equal(t, "họp gia đình", tr["note"])
	}
	require.Equal(t, []string{"plan by manager", "implement by manager", "monitor by approver", "evaluate by manager", "close by manager"}, got)
	require.Nil(t, history["next"])

	entries, err := storetest.AuditLog(e.ctx, e.s, "case", int64(w.kase.ID))
	require.NoError(t, err)
	require.Len(t, entries, 5)
	require.Equal(t, map[string]any{"event": "plan", "from": "assessment", "to": "planning"}, entries[0].Detail)
	require.Equal(t, care.AuditCaseClose, entries[4].Action)
	require.Equal(t, map[string]any{"reason": "goals_met", "from": "evaluation"}, entries[4].Detail)
	require.Equal(t, []string{care.AuditPlanCreate, care.AuditPlanSubmit, care.AuditPlanApprove}, actions(e, "plan", id(plan, "id")))
	require.Equal(t, []string{care.AuditAssessmentRecord}, e.audit("assessment", id(a, "id"), w.manager.ID))
}

// actions lists the actions of a record's audit entries, whoever did them.
func actions(e *env, entity string, id int64) []string {
	e.t.Helper()
	entries, err := storetest.AuditLog(e.ctx, e.s, entity, id)
	require.NoError(e.t, err)
	var out []string
	for _, a := range entries {
		out = append(out, a.Action)
	}
	return out
}
