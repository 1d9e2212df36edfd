package api

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

// outbox lists the bodies of the outbound messages queued for phone, oldest first.
func (e *env) outbox(phone care.Phone) []string {
	e.t.Helper()
	return e.Strings(`SELECT body FROM message WHERE direction = 'out' AND phone = $1 ORDER BY id`, phone.E164())
}

// TestTransferMovesTheCaseAndItsScope: a case moves from commune A to B with its history;
// both case managers are told, and the new one is told again of the open escalation at the
// case manager's rung and of one further up the ladder, which move to B with the case; from
// then on A's staff get 404 for the case and the person, B's staff see both.
func TestTransferMovesTheCaseAndItsScope(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	bManager, bToken := e.staff(w.b, care.RoleCaseManager, 0)
	kase := path("/cases/%d", w.kase.ID)
	person := path("/persons/%d", w.person.ID)
	e.fails(http.StatusNotFound, care.ENOTFOUND, bToken, "GET", kase, nil)
	atRung := &care.Escalation{Reason: care.ReasonCheckInMissed, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.a, Notified: true}
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, atRung))
	help := &care.HelpRequest{PersonID: w.person.ID, Phone: w.person.Phone, Commune: w.a, Category: care.HelpHealth, Channel: care.ChannelSMS}
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, help))
	upTheLadder := &care.Escalation{Reason: care.ReasonHelpRequest, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.a,
		HelpRequestID: help.ID, Level: 1, Notified: true}
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, upTheLadder))

	for _, bad := range []map[string]any{{}, {"commune": "ZZ"}, {"commune": "B", "manager_id": w.manager.ID}} {
		e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/transfer", bad)
	}
	e.fails(http.StatusNotFound, care.ENOTFOUND, bToken, "POST", kase+"/transfer", map[string]any{"commune": "B"})
	moved := e.ok(http.StatusOK, w.token, "POST", kase+"/transfer", map[string]any{"commune": "B", "manager_id": bManager.ID, "note": "chuyển về nhà con gái"})
	require.Equal(t, "B", moved["commune"])
	require.Equal(t, float64(bManager.ID), moved["manager_id"])
	for _, esc := range []*care.Escalation{atRung, upTheLadder} {
		var notified bool
		require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT notified FROM escalation WHERE id = $1`, int64(esc.ID)).Scan(&notified))
		require.False(t, notified, "B's people at the rung of escalation %d are told of it", esc.ID)
	}
	require.Len(t, e.ok(http.StatusOK, bToken, "GET", "/api/v1/escalations", nil)["items"], 2,
		"the escalations moved with the case: B's staff see them")
	require.Empty(t, e.ok(http.StatusOK, w.token, "GET", "/api/v1/escalations", nil)["items"])

	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", kase, nil)
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", person, nil)
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", kase+"/history", nil)
	require.Equal(t, moved, e.ok(http.StatusOK, bToken, "GET", kase, nil))
	require.Equal(t, "B", e.ok(http.StatusOK, bToken, "GET", person, nil)["commune"])
	list := e.ok(http.StatusOK, w.token, "GET", "/api/v1/cases", nil)
	require.Empty(t, list["items"], "A's list no longer holds it")
	require.Len(t, e.ok(http.StatusOK, bToken, "GET", "/api/v1/cases", nil)["items"], 1)

	history := e.ok(http.StatusOK, bToken, "GET", kase+"/history", nil)["items"].([]any)
	require.Len(t, history, 1)
	tr := history[0].(map[string]any)
	require.Equal(t, "transfer", tr["event"])
	require.Equal(t, "A", tr["from_commune"])
	require.Equal(t, "B", tr["to_commune"])
	require.Equal(t, float64(bManager.ID), tr["to_manager"])
	require.Equal(t, float64(w.manager.ID), tr["by"])

	require.Equal(t, []string{"Caseline: ho so #1 (Nguyen Van An) da chuyen sang xa B, can bo Chi Lan."}, e.outbox(w.manager.Phone))
	require.Equal(t, []string{"Caseline: ban nhan ho so #1 (Nguyen Van An " + w.person.Phone.E164() + ") chuyen tu xa A, can bo Chi Lan."}, e.outbox(bManager.Phone))
	require.Empty(t, e.outbox(w.person.Phone), "the person is not told")
	require.Equal(t, []string{care.AuditCaseTransfer}, e.audit("case", int64(w.kase.ID), w.manager.ID))

	e.fails(http.StatusBadRequest, care.EINVALID, bToken, "POST", kase+"/transfer", map[string]any{"commune": "B", "manager_id": bManager.ID})
}

// TestAPlanRevisionWaitsForTheApprover: the approved plan stays in force while its revision
// is drafted, submitted, returned and submitted again; the approver is told when it waits,
// the case manager when it is returned or approved; approval names the token's approver.
func TestAPlanRevisionWaitsForTheApprover(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	approver, approverToken := e.staff(w.a, care.RoleApprover, 0)
	bApprover, bApproverToken := e.staff(w.b, care.RoleApprover, 0)
	kase := path("/cases/%d", w.kase.ID)
	first := e.ok(http.StatusCreated, w.token, "POST", kase+"/plans", map[string]any{"goals": []string{"Có xe lăn"},
		"services": []any{map[string]any{"area": "health", "description": "Cấp xe lăn"}}})
	e.ok(http.StatusOK, w.token, "POST", kase+"/plan/revision/submit", nil)
	require.Equal(t, []string{"Caseline: ke hoach ho tro #1 cua ho so #1 (Nguyen Van An) dang cho ban duyet."}, e.outbox(approver.Phone))
	require.Empty(t, e.outbox(bApprover.Phone), "only the case's commune's approvers")
	e.fails(http.StatusNotFound, care.ENOTFOUND, bApproverToken, "POST", kase+"/plan/revision/approve", nil)
	e.ok(http.StatusOK, approverToken, "POST", kase+"/plan/revision/approve", nil)
	require.Equal(t, []string{"Caseline: ke hoach ho tro #1 cua ho so #1 (Nguyen Van An) da duoc duyet."}, e.outbox(w.manager.Phone))

	e.clock.Advance(time.Hour)
	revision := e.ok(http.StatusCreated, w.token, "POST", kase+"/plans", map[string]any{"goals": []string{"Đi học nghề"},
		"services": []any{map[string]any{"area": "education", "description": "Học nghề may"}}})
	inForce := e.ok(http.StatusOK, w.token, "GET", kase+"/plan", nil)
	require.Equal(t, first["id"], inForce["id"], "the approved plan stays in force")
	require.Equal(t, "approved", inForce["status"])
	require.Equal(t, revision["id"], e.ok(http.StatusOK, w.token, "GET", kase+"/plan/revision", nil)["id"])

	e.ok(http.StatusOK, w.token, "POST", kase+"/plan/revision/submit", nil)
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", kase+"/plan/revision/submit", nil)
	e.fails(http.StatusForbidden, "forbidden", w.token, "POST", kase+"/plan/revision/return", map[string]any{"reason": "x"})
	fields := e.fails(http.StatusBadRequest, care.EINVALID, approverToken, "POST", kase+"/plan/revision/return", map[string]any{"reason": " "})
	require.Contains(t, fields, "reason")
	returned := e.ok(http.StatusOK, approverToken, "POST", kase+"/plan/revision/return", map[string]any{"reason": "Thiếu nơi học nghề"})
	require.Equal(t, "returned", returned["status"])
	require.Equal(t, "Thiếu nơi học nghề", returned["return_reason"])
	require.Equal(t, float64(approver.ID), returned["returned_by"])
	require.Equal(t, "Caseline: ke hoach ho tro #2 cua ho so #1 (Nguyen Van An) bi tra lai: Thieu noi hoc nghe", e.outbox(w.manager.Phone)[1])
	require.Equal(t, first["id"], e.ok(http.StatusOK, w.token, "GET", kase+"/plan", nil)["id"], "still in force")

	e.ok(http.StatusOK, w.token, "POST", kase+"/plan/revision/submit", nil)
	require.Len(t, e.outbox(approver.Phone), 3, "told each time it waits")
	approved := e.ok(http.StatusOK, approverToken, "POST", kase+"/plan/revision/approve", nil)
	require.Equal(t, revision["id"], approved["id"])
	require.Equal(t, approved, e.ok(http.StatusOK, w.token, "GET", kase+"/plan", nil), "the approved revision is in force")
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", kase+"/plan/revision", nil)
	require.Len(t, e.outbox(w.manager.Phone), 3)
	require.Empty(t, e.outbox(w.person.Phone))
	require.Equal(t, []string{care.AuditPlanCreate, care.AuditPlanSubmit, care.AuditPlanReturn, care.AuditPlanSubmit, care.AuditPlanApprove},
		actions(e, "plan", id(revision, "id")))
}

// TestCloseAndReopen closes over HTTP (refusing a bad reason and "other" without a note),
// tells the person unless they died, and reopens as a new case that remembers the old.
func TestCloseAndReopen(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	kase := path("/cases/%d", w.kase.ID)
	for _, bad := range []map[string]any{{}, {"reason": "bored"}, {"reason": "other"}, {"reason": "other", "note": "  "}} {
		fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/close", bad)
		require.NotEmpty(t, fields, "%v", bad)
	}
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.otherToken, "POST", kase+"/close", map[string]any{"reason": "declined"})
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/reopen", nil) // still open
	closed := e.ok(http.StatusOK, w.token, "POST", kase+"/close", map[string]any{"reason": "other", "note": "đi lao động xa"})
	require.Equal(t, "other", closed["close_reason"])
	require.Equal(t, []string{"Caseline: Ho so ho tro cua ban da dong. Can giup, gui GIUP. Muon mo lai ho so, xin lien he can bo xa."},
		e.outbox(w.person.Phone))
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", kase+"/close", map[string]any{"reason": "goals_met"})

	again := e.ok(http.StatusCreated, w.token, "POST", kase+"/reopen", nil)
	require.Equal(t, float64(w.kase.ID), again["reopened_from"])
	require.Equal(t, "assessment", again["step"])
	require.Equal(t, float64(w.manager.ID), again["manager_id"], "the old case manager takes it back")
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", kase+"/reopen", nil) // the person has an open case
	old := e.ok(http.StatusOK, w.token, "GET", kase+"/history", nil)["items"].([]any)
	require.Len(t, old, 1)
	require.Equal(t, "đi lao động xa", old[0].(map[string]any)["note"])
	require.Equal(t, "other", old[0].(map[string]any)["reason"])
	fresh := e.ok(http.StatusOK, w.token, "GET", path("/cases/%d/history", id(again, "id")), nil)["items"].([]any)
	require.Equal(t, "reopen", fresh[0].(map[string]any)["event"])
	require.Equal(t, []string{care.AuditCaseReopen}, e.audit("case", id(again, "id"), w.manager.ID))

	// A death: the case closes and nobody is told.
	p := e.Person(w.a)
	c := e.OpenCase(p, w.manager)
	e.ok(http.StatusOK, w.token, "POST", path("/cases/%d/close", c.ID), map[string]any{"reason": "died"})
	require.Empty(t, e.outbox(p.Phone))
}

// TestListCasesFilters lists within scope by step, review date and case manager.
func TestListCasesFilters(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	other, _ := e.staff(w.a, care.RoleCaseManager, 0)
	_, supToken := e.staff(w.a, care.RoleSupervisor, 0)
	monitoring := func(m *care.CaseManager, review time.Time) *care.Case {
		c := e.OpenCase(e.Person(w.a), m)
		_, err := e.s.Pool().Exec(e.ctx, `UPDATE care_case SET step = 'monitoring', next_review_at = $2 WHERE id = $1`, int64(c.ID), review)
		require.NoError(t, err)
		return c
	}
	overdue := monitoring(w.manager, start.Add(-24*time.Hour))
	soon := monitoring(other, start.Add(3*24*time.Hour))
	monitoring(w.manager, start.Add(30*24*time.Hour))
	bCase := e.OpenCase(e.Person(w.b), func() *care.CaseManager { m, _ := e.staff(w.b, care.RoleCaseManager, 0); return m }())
	_, err := e.s.Pool().Exec(e.ctx, `UPDATE care_case SET step = 'monitoring', next_review_at = $2 WHERE id = $1`, int64(bCase.ID), start.Add(-time.Hour))
	require.NoError(t, err)

	ids := func(token, query string) []int64 {
		items := e.ok(http.StatusOK, token, "GET", "/api/v1/cases"+query, nil)["items"].([]any)
		out := []int64{}
		for _, it := range items {
			out = append(out, id(it.(map[string]any), "id"))
		}
		return out
	}
	require.Len(t, ids(w.token, ""), 4, "A's open cases")
	require.Equal(t, []int64{int64(w.kase.ID)}, ids(w.token, "?step=assessment"))
	require.Equal(t, []int64{int64(overdue.ID)}, ids(w.token, "?review=overdue"))
	require.Equal(t, []int64{int64(overdue.ID), int64(soon.ID)}, ids(w.token, "?review=due"), "soonest first")
	require.Equal(t, []int64{int64(soon.ID)}, ids(supToken, "?review=due&manager_id="+strconv.FormatInt(int64(other.ID), 10)))
	require.Equal(t, []int64{int64(bCase.ID)}, ids(w.otherToken, "?review=overdue"), "scope holds")
	page := e.ok(http.StatusOK, w.token, "GET", "/api/v1/cases?review=due&limit=1", nil)
	require.Len(t, page["items"], 1)
	next := e.ok(http.StatusOK, w.token, "GET", "/api/v1/cases?review=due&limit=1&cursor="+page["next"].(string), nil)
	require.Equal(t, int64(soon.ID), id(next["items"].([]any)[0].(map[string]any), "id"))
	for _, bad := range []string{"?step=done", "?review=soon", "?manager_id=x", "?cursor=zz"} {
		e.fails(http.StatusBadRequest, care.EINVALID, w.token, "GET", "/api/v1/cases"+bad, nil)
	}
}
