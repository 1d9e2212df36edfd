package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

// ladderOf runs the escalation step on x and returns the ladder its worker is shown.
func (e *env) ladderOf(x *care.Escalation) care.EscalationWork {
	e.t.Helper()
	require.NoError(e.t, storetest.CreateEscalation(e.ctx, e.s, x))
	var seen care.EscalationWork
	_, err := e.s.RunEscalation(e.ctx, x.ID, start, care.Claim{}, func(w care.EscalationWork) (care.EscalationResult, error) {
		seen = w
		return care.EscalationResult{Level: w.Escalation.Level, Notified: w.Escalation.Notified,
			NextLevelAt: w.Escalation.NextLevelAt, ResolveNotified: w.ResolveNotified}, nil
	})
	require.NoError(e.t, err)
	return seen
}

// rungs names who stands on each rung ("" for nobody).
func rungs(w care.EscalationWork, names map[care.ManagerID]string) [3]string {
	var out [3]string
	for i, m := range w.Ladder {
		if m != nil {
			out[i] = names[m.ID]
		}
	}
	return out
}

func TestTheLadderIsTheCommunesElseTheRosters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation
		roster int // roster members, in id order r1, r2, …
		route  care.EscalationRoute
		want   [3]string
	}{
		{"a case: its manager, their supervisor, the commune's duty officer", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			return &care.Escalation{Reason: care.ReasonCheckInMissed, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.commune}
		}, 2, care.RouteCommune, [3]string{"manager", "supervisor", "duty"}},
		{"no case: the commune's first active case manager", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			return &care.Escalation{Reason: care.ReasonHelpRequest, Commune: w.commune}
		}, 1, care.RouteCommune, [3]string{"manager", "supervisor", "duty"}},
		{"a commune with only its duty officer: the roster first, the duty officer on the third rung", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			c := e.fx.Commune("x2")
			d := e.fx.Staff(c, care.RoleDutyOfficer, 0)
			named("duty2", d)
			require.NoError(e.t, e.s.SetDutyOfficer(e.ctx, c, d.ID))
			return &care.Escalation{Reason: care.ReasonHelpRequest, Commune: c}
		}, 1, care.RouteRoster, [3]string{"r1", "", "duty2"}},
		{"a commune with only its duty officer and nobody on call keeps its ladder", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			c := e.fx.Commune("x4")
			d := e.fx.Staff(c, care.RoleDutyOfficer, 0)
			named("duty4", d)
			require.NoError(e.t, e.s.SetDutyOfficer(e.ctx, c, d.ID))
			return &care.Escalation{Reason: care.ReasonHelpRequest, Commune: c}
		}, 0, care.RouteCommune, [3]string{"", "", "duty4"}},
		{"the case's manager inactive: another active case manager of the commune; the supervisor stays second", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			_, err := e.s.Pool().Exec(e.ctx, `UPDATE case_manager SET active = false WHERE id = $1`, w.manager.ID)
			require.NoError(e.t, err)
			named("other", e.fx.Staff(w.commune, care.RoleCaseManager, 0))
			return &care.Escalation{Reason: care.ReasonCheckInMissed, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.commune}
		}, 1, care.RouteCommune, [3]string{"other", "supervisor", "duty"}},
		{"the case's manager inactive, no other: the roster first; the supervisor stays second", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			_, err := e.s.Pool().Exec(e.ctx, `UPDATE case_manager SET active = false WHERE id = $1`, w.manager.ID)
			require.NoError(e.t, err)
			return &care.Escalation{Reason: care.ReasonCheckInMissed, PersonID: w.person.ID, CaseID: w.kase.ID, Commune: w.commune}
		}, 2, care.RouteRoster, [3]string{"r1", "supervisor", "duty"}},
		{"no case, the commune's case manager inactive: the roster first", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			_, err := e.s.Pool().Exec(e.ctx, `UPDATE case_manager SET active = false WHERE id = $1`, w.manager.ID)
			require.NoError(e.t, err)
			return &care.Escalation{Reason: care.ReasonHelpRequest, Commune: w.commune}
		}, 1, care.RouteRoster, [3]string{"r1", "", "duty"}},
		{"a commune with nobody active: the roster", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			c := e.fx.Commune("x3")
			m := e.fx.Staff(c, care.RoleCaseManager, 0)
			_, err := e.s.Pool().Exec(e.ctx, `UPDATE case_manager SET active = false WHERE id = $1`, m.ID)
			require.NoError(e.t, err)
			return &care.Escalation{Reason: care.ReasonHelpRequest, Commune: c}
		}, 4, care.RouteRoster, [3]string{"r1", "r2", "r3"}},
		{"no commune: the roster, one per rung", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			return &care.Escalation{Reason: care.ReasonHelpRequest}
		}, 2, care.RouteRoster, [3]string{"r1", "r2", ""}},
		{"no commune and nobody on call: nobody", func(e *env, w world, named func(string, *care.CaseManager)) *care.Escalation {
			return &care.Escalation{Reason: care.ReasonHelpRequest}
		}, 0, care.RouteNobody, [3]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			w := e.world()
			names := map[care.ManagerID]string{w.manager.ID: "manager"}
			named := func(name string, m *care.CaseManager) { names[m.ID] = name }
			sup := e.fx.Staff(w.commune, care.RoleSupervisor, 0)
			named("supervisor", sup)
			_, err := e.s.Pool().Exec(e.ctx, `UPDATE case_manager SET supervisor_id = $1 WHERE id = $2`, sup.ID, w.manager.ID)
			require.NoError(t, err)
			duty := e.fx.Staff(w.commune, care.RoleDutyOfficer, 0)
			named("duty", duty)
			require.NoError(t, e.s.SetDutyOfficer(e.ctx, w.commune, duty.ID))
			// An inactive roster member first: never on the ladder.
			gone := e.fx.Staff("", care.RoleDutyOfficer, 0)
			_, err = e.s.Pool().Exec(e.ctx, `UPDATE case_manager SET active = false WHERE id = $1`, gone.ID)
			require.NoError(t, err)
			for i := range tt.roster {
				named("r"+string(rune('1'+i)), e.fx.Staff("", care.RoleDutyOfficer, 0))
			}
			x := tt.setup(e, w, named)
			got := e.ladderOf(x)
			require.Equal(t, tt.route, got.Route)
			require.Equal(t, tt.want, rungs(got, names))
		})
	}
}

func TestOnlyADutyOfficerMayHaveNoCommune(t *testing.T) {
	t.Parallel()
	e := setup(t)
	roster := &care.CaseManager{Name: "Trực ban", Phone: e.fx.Phone(), Role: care.RoleDutyOfficer, Active: true}
	require.NoError(t, e.s.CreateManager(e.ctx, roster))
	got, err := e.s.ManagerByPhone(e.ctx, roster.Phone)
	require.NoError(t, err)
	require.Equal(t, care.CommuneCode(""), got.Commune)
	require.True(t, got.OnRoster())

	for _, role := range []care.Role{care.RoleCaseManager, care.RoleSupervisor, care.RoleApprover, care.RoleAdmin} {
		err := e.s.CreateManager(e.ctx, &care.CaseManager{Name: "Ai đó", Phone: e.fx.Phone(), Role: role, Active: true})
		requireCode(t, care.EINVALID, err)
	}

	// On the roster, they see the help requests and escalations of no commune, and only those.
	plain, _, err := e.s.CreateAPIToken(e.ctx, 0, roster.ID, "roster")
	require.NoError(t, err)
	st, err := e.s.StaffByToken(e.ctx, plain)
	require.NoError(t, err)
	require.Equal(t, []care.CommuneCode{""}, st.Communes())
	w := e.world()
	mine := &care.HelpRequest{Phone: e.fx.Phone(), Category: care.HelpHealth, Channel: care.ChannelSMS}
	theirs := &care.HelpRequest{Phone: e.fx.Phone(), Commune: w.commune, Category: care.HelpHealth, Channel: care.ChannelSMS}
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, mine))
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, theirs))
	hs, _, err := e.s.ListHelpRequests(e.ctx, care.HelpFilter{Communes: st.Communes(), Status: care.HelpOpen}, care.Page{})
	require.NoError(t, err)
	require.Len(t, hs, 1)
	require.Equal(t, mine.ID, hs[0].ID)
	next := start.Add(time.Hour)
	mineEsc := &care.Escalation{Reason: care.ReasonHelpRequest, HelpRequestID: mine.ID, NextLevelAt: &next}
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, mineEsc))
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, &care.Escalation{Reason: care.ReasonHelpRequest, HelpRequestID: theirs.ID,
		Commune: w.commune, NextLevelAt: &next}))
	es, _, err := e.s.ListEscalations(e.ctx, care.EscalationFilter{Communes: st.Communes(), Status: care.EscalationOpen}, care.Page{})
	require.NoError(t, err)
	require.Len(t, es, 1)
	require.Equal(t, mineEsc.ID, es[0].ID)
}

func TestUnroutedHelpRequestsAreCountedWhileOpen(t *testing.T) {
	t.Parallel()
	e := setup(t)
	count := func() int64 {
		n, err := e.s.UnroutedHelpRequests(e.ctx)
		require.NoError(t, err)
		return n
	}
	h := &care.HelpRequest{Phone: e.fx.Phone(), Category: care.HelpHealth, Channel: care.ChannelSMS}
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, h))
	x := &care.Escalation{Reason: care.ReasonHelpRequest, HelpRequestID: h.ID}
	w := e.ladderOf(x)
	require.Equal(t, care.RouteNobody, w.Route)
	require.Zero(t, count())
	_, err := e.s.RunEscalation(e.ctx, x.ID, start, care.Claim{}, func(care.EscalationWork) (care.EscalationResult, error) {
		return care.EscalationResult{Level: care.TopLevel, Notified: true, Unrouted: true}, nil
	})
	require.NoError(t, err)
	require.EqualValues(t, 1, count())
	// A check-in nobody could be told of is not a help request.
	c := &care.Escalation{Reason: care.ReasonCheckInMissed}
	e.ladderOf(c)
	_, err = e.s.RunEscalation(e.ctx, c.ID, start, care.Claim{}, func(care.EscalationWork) (care.EscalationResult, error) {
		return care.EscalationResult{Level: care.TopLevel, Notified: true, Unrouted: true}, nil
	})
	require.NoError(t, err)
	require.EqualValues(t, 1, count())
	admin := e.fx.Staff(e.fx.Commune("x9"), care.RoleAdmin, 0)
	_, err = e.s.ResolveEscalationAs(e.ctx, admin.ID, x.ID, "gọi lại rồi", start)
	require.NoError(t, err)
	require.Zero(t, count(), "handled: no longer counted")
}
