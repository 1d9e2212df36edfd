package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
)

// TestE2ELifeCycle walks issue 14's case life cycle through a running `caseline dev`: the
// deaf demo user's case manager revises her approved plan; while the revision waits, the
// approver is told by SMS and her plan status on the phone still reads the plan in force;
// the approver approves it with their own token, the case manager is told, and the phone
// reads the new plan. The case moves to another commune: both case managers are told, and
// the old commune's token gets 404 at once. The new case manager closes it (she moved
// away): she is told by SMS, and her plan status says the case is closed.
func TestE2ELifeCycle(t *testing.T) {
	endToEnd(t)
	s := startDev(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, s.db)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool, care.SystemClock{})
	token := func(phone care.Phone) string {
		m, err := st.ManagerByPhone(ctx, phone)
		require.NoError(t, err)
		tok, _, err := st.CreateAPIToken(ctx, 0, m.ID, "e2e")
		require.NoError(t, err)
		return tok
	}
	as := func(tok string) *devSystem { c := *s; c.token = tok; return &c }
	approver := as(token(demoApproverPhone))

	hoa := s.person(demoDeafPhone.E164())
	var kase apiCase
	s.api("GET", fmt.Sprintf("/persons/%d/case", hoa.ID), nil, http.StatusOK, &kase)
	require.Equal(t, "monitoring", kase.Step)
	ph := s.phone(demoDeafPhone.E164())
	status := func() string {
		t.Helper()
		r, err := ph.SMS(ctx, "TT")
		require.NoError(t, err)
		require.Len(t, r.Messages, 1)
		return r.Messages[0]
	}
	require.Contains(t, status(), "Dich vu: 2 viec", "the approved plan's two services (counted: the SMS has one segment)")

	// 1. A revision waits for the approver; the phone still reads the plan in force.
	c := fmt.Sprintf("/cases/%d", kase.ID)
	s.api("POST", c+"/plans", map[string]any{"goals": []string{"Có việc làm"},
		"services": []any{map[string]any{"area": "livelihood", "description": "Vay vốn mở tiệm may"}}}, http.StatusCreated, nil)
	s.api("POST", c+"/plan/revision/submit", nil, http.StatusOK, nil)
	s.waitMessage("the approver is told a plan waits", demoApproverPhone.E164(), regexp.MustCompile(`cho ban duyet`), dispatchSlack)
	require.Contains(t, status(), "Dich vu: 2 viec", "a waiting revision does not hide the plan in force")
	s.api("POST", c+"/plan/revision/approve", nil, http.StatusForbidden, nil) // a case manager may not
	var plan struct {
		Status     string `json:"status"`
		ApprovedBy int64  `json:"approved_by"`
	}
	approver.api("POST", c+"/plan/revision/approve", nil, http.StatusOK, &plan)
	require.Equal(t, "approved", plan.Status)
	s.waitMessage("the case manager is told the plan is approved", demoManagerPhone.E164(), regexp.MustCompile(`da duoc duyet`), dispatchSlack)
	require.Contains(t, status(), "Vay von mo tiem may", "the approved revision is in force")

	// 2. The case moves to another commune: both case managers told, scope follows at once.
	require.NoError(t, st.CreateCommune(ctx, &care.Commune{Code: "17246", Name: "Xã Tân Mỹ"}))
	other := &care.CaseManager{Name: "Đỗ Thị Hạnh", Phone: "+84901000201", Commune: "17246", Role: care.RoleCaseManager,
		Language: care.Vietnamese, Active: true}
	require.NoError(t, st.CreateManager(ctx, other))
	s.api("POST", c+"/transfer", map[string]any{"commune": "17246"}, http.StatusOK, &kase)
	require.Equal(t, int64(other.ID), kase.ManagerID)
	s.api("GET", c, nil, http.StatusNotFound, nil)
	s.api("GET", fmt.Sprintf("/persons/%d", hoa.ID), nil, http.StatusNotFound, nil)
	s.waitMessage("the old case manager is told", demoManagerPhone.E164(), regexp.MustCompile(`da chuyen sang xa 17246`), dispatchSlack)
	s.waitMessage("the new case manager is told", other.Phone.E164(), regexp.MustCompile(`ban nhan ho so #\d+`), dispatchSlack)
	newManager := as(token(other.Phone))
	newManager.api("GET", c, nil, http.StatusOK, nil)

	// 3. She moved away: the case closes, she is told, and her plan status says so.
	newManager.api("POST", c+"/close", map[string]any{"reason": "moved_away"}, http.StatusOK, &kase)
	require.Equal(t, "closed", kase.Step)
	s.waitMessage("the person is told", demoDeafPhone.E164(), regexp.MustCompile(`^Caseline: Ho so ho tro cua ban da dong\.`), dispatchSlack)
	require.Equal(t, "Ho so ho tro cua ban da dong. Can giup, gui GIUP. Muon mo lai ho so, xin lien he can bo xa.", status())
}
