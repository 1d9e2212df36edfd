package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func TestEscalationsBySLA(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	_, supToken := e.staff(w.a, care.RoleSupervisor, 0)
	at := func(d time.Duration) *time.Time { t := start.Add(d); return &t }
	escalate := func(urgent bool, next *time.Time, commune care.CommuneCode) *care.Escalation {
		esc := &care.Escalation{Reason: care.ReasonCheckInMissed, Urgent: urgent, Commune: commune, NextLevelAt: next}
		if commune == w.a {
			esc.PersonID, esc.CaseID = w.person.ID, w.kase.ID
		}
		require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, esc))
		return esc
	}
	// Created out of order; listed by when they climb, urgent first among equals.
	late := escalate(false, at(24*time.Hour), w.a)
	top := escalate(false, nil, w.a) // at the top of the ladder: never climbs again
	soonNormal := escalate(false, at(15*time.Minute), w.a)
	soonUrgent := escalate(true, at(15*time.Minute), w.a)
	first := escalate(true, at(5*time.Minute), w.a)
	escalate(true, at(time.Minute), w.b) // another commune's: not listed
	want := []care.EscalationID{first.ID, soonUrgent.ID, soonNormal.ID, late.ID, top.ID}

	var got []care.EscalationID
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		list := e.ok(http.StatusOK, w.token, "GET", "/api/v1/escalations?limit=2&cursor="+cursor, nil)
		for _, x := range list["items"].([]any) {
			got = append(got, care.EscalationID(id(x.(map[string]any), "id")))
		}
		if list["next"] == nil {
			break
		}
		cursor = list["next"].(string)
	}
	require.Equal(t, want, got)
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "GET", "/api/v1/escalations?status=lost", nil)
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "GET", "/api/v1/escalations?cursor=eA", nil)

	// Acknowledging stops the ladder: acknowledged, by whom, and no next level.
	esc := path("/escalations/%d", first.ID)
	ack := e.ok(http.StatusOK, w.token, "POST", esc+"/acknowledge", nil)
	require.Equal(t, "acknowledged", ack["status"])
	require.Nil(t, ack["next_level_at"])
	require.Equal(t, float64(w.manager.ID), ack["acked_by"])
	require.Equal(t, start.Format(timeLayoutJSON), ack["acked_at"])
	stored, err := e.s.Escalation(e.ctx, first.ID)
	require.NoError(t, err)
	require.Equal(t, care.EscalationAcknowledged, stored.Status)
	require.Nil(t, stored.NextLevelAt)
	e.fails(http.StatusConflict, care.ECONFLICT, supToken, "POST", esc+"/acknowledge", nil)
	acked := e.ok(http.StatusOK, w.token, "GET", "/api/v1/escalations?status=acknowledged", nil)
	require.Len(t, acked["items"], 1)
	require.NotContains(t, idsOf(e.ok(http.StatusOK, w.token, "GET", "/api/v1/escalations", nil)), int64(first.ID))

	// Resolving needs an outcome note, which stays out of the audit log.
	fields := e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", esc+"/resolve", map[string]any{"outcome": "  "})
	require.Contains(t, fields, "outcome")
	fields = e.fails(http.StatusBadRequest, care.EINVALID, w.token, "POST", esc+"/resolve", map[string]any{"outcome": strings.Repeat("x", 1001)})
	require.Contains(t, fields, "outcome")
	e.clock.Advance(time.Hour)
	resolved := e.ok(http.StatusOK, supToken, "POST", esc+"/resolve", map[string]any{"outcome": "Đã đến nhà, bà ổn"})
	require.Equal(t, "resolved", resolved["status"])
	require.Equal(t, "Đã đến nhà, bà ổn", resolved["outcome"])
	require.Equal(t, start.Add(time.Hour).Format(timeLayoutJSON), resolved["resolved_at"])
	require.Equal(t, resolved, e.ok(http.StatusOK, w.token, "GET", esc, nil))
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", esc+"/resolve", map[string]any{"outcome": "again"})
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "POST", path("/escalations/999999/acknowledge"), nil)

	require.Equal(t, []string{care.AuditEscalationAck, care.AuditEscalationResolve}, actions(e, "escalation", int64(first.ID)))
	require.Zero(t, countRows(e, `SELECT count(*) FROM audit_log WHERE detail::text LIKE '%bà ổn%'`))
}

func idsOf(list map[string]any) []int64 {
	var out []int64
	for _, x := range list["items"].([]any) {
		out = append(out, id(x.(map[string]any), "id"))
	}
	return out
}

func TestHelpRequests(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	_, adminToken := e.staff(w.b, care.RoleAdmin, 0)
	help := func(commune care.CommuneCode, cat care.HelpCategory) *care.HelpRequest {
		h := &care.HelpRequest{Phone: e.Phone(), Commune: commune, Category: cat, Description: "cần giúp", Channel: care.ChannelUSSD}
		if commune == w.a {
			h.PersonID = w.person.ID
		}
		require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, h))
		return h
	}
	h1, h2 := help(w.a, care.HelpHealth), help(w.a, care.HelpAbuse)
	help(w.b, care.HelpMoney)
	unknown := help("", care.HelpOther) // an unregistered caller of unknown commune

	require.Equal(t, []int64{int64(h1.ID), int64(h2.ID)}, idsOf(e.ok(http.StatusOK, w.token, "GET", "/api/v1/help-requests", nil)))
	require.Contains(t, idsOf(e.ok(http.StatusOK, adminToken, "GET", "/api/v1/help-requests", nil)), int64(unknown.ID))
	e.fails(http.StatusNotFound, care.ENOTFOUND, w.token, "GET", path("/help-requests/%d", unknown.ID), nil)

	got := e.ok(http.StatusOK, w.token, "GET", path("/help-requests/%d", h2.ID), nil)
	require.Equal(t, "abuse", got["category"])
	require.Equal(t, true, got["urgent"])

	resolved := e.ok(http.StatusOK, w.token, "POST", path("/help-requests/%d/resolve", h1.ID), nil)
	require.Equal(t, "resolved", resolved["status"])
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", path("/help-requests/%d/resolve", h1.ID), nil)
	require.Equal(t, []int64{int64(h2.ID)}, idsOf(e.ok(http.StatusOK, w.token, "GET", "/api/v1/help-requests", nil)))
	require.Equal(t, []int64{int64(h1.ID)}, idsOf(e.ok(http.StatusOK, w.token, "GET", "/api/v1/help-requests?status=resolved", nil)))
	require.Len(t, idsOf(e.ok(http.StatusOK, w.token, "GET", "/api/v1/help-requests?status=any", nil)), 2)
	e.fails(http.StatusBadRequest, care.EINVALID, w.token, "GET", "/api/v1/help-requests?status=done", nil)
	require.Equal(t, []string{care.AuditHelpResolve}, e.audit("help_request", int64(h1.ID), w.manager.ID))
}

func TestMessageHistory(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	var ids []int64
	for i := range 5 {
		m := &care.Message{Direction: care.Inbound, Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
			ProviderID: "p" + string(rune('a'+i)), Phone: w.person.Phone, PersonID: w.person.ID, Body: "TT", Status: care.MsgReceived}
		require.NoError(t, storetest.LogMessage(e.ctx, e.s, m))
		ids = append([]int64{int64(m.ID)}, ids...) // newest first
	}
	other := e.Person(w.a)
	require.NoError(t, storetest.LogMessage(e.ctx, e.s, &care.Message{Direction: care.Inbound, Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
		ProviderID: "other", Phone: other.Phone, PersonID: other.ID, Body: "x", Status: care.MsgReceived}))

	first := e.ok(http.StatusOK, w.token, "GET", path("/persons/%d/messages?limit=3", w.person.ID), nil)
	require.Equal(t, ids[:3], idsOf(first))
	require.Equal(t, "TT", first["items"].([]any)[0].(map[string]any)["body"])
	second := e.ok(http.StatusOK, w.token, "GET", path("/persons/%d/messages?limit=3&cursor=%s", w.person.ID, first["next"]), nil)
	require.Equal(t, ids[3:], idsOf(second))
	require.Nil(t, second["next"])
	require.Empty(t, e.ok(http.StatusOK, w.token, "GET", path("/persons/%d/messages", e.Person(w.a).ID), nil)["items"])
}

func TestUnroutedRequestsAnswerJSON(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nothing", http.StatusNotFound, care.ENOTFOUND},
		{"DELETE", "/api/v1/persons", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"GET", "/api/v1/escalations/1/acknowledge", http.StatusMethodNotAllowed, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			e.fails(tt.status, tt.code, w.token, tt.method, tt.path, nil)
		})
	}
}
