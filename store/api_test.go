package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func TestStaffByTokenTeam(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, b, c, d := e.fx.Commune("a"), e.fx.Commune("b"), e.fx.Commune("c"), e.fx.Commune("d")
	sup := e.fx.Staff(a, care.RoleSupervisor, 0)
	for _, m := range []*care.CaseManager{
		{Name: "B", Phone: e.fx.Phone(), Commune: b, Role: care.RoleCaseManager, SupervisorID: sup.ID, Active: true},
		{Name: "B2", Phone: e.fx.Phone(), Commune: b, Role: care.RoleCaseManager, SupervisorID: sup.ID, Active: true},
		{Name: "C", Phone: e.fx.Phone(), Commune: c, Role: care.RoleCaseManager, SupervisorID: sup.ID, Active: false},
		{Name: "D", Phone: e.fx.Phone(), Commune: d, Role: care.RoleCaseManager, Active: true},
	} {
		require.NoError(t, e.s.CreateManager(e.ctx, m))
	}
	plain, tok, err := e.s.CreateAPIToken(e.ctx, 0, sup.ID, "  laptop ")
	require.NoError(t, err)
	require.Regexp(t, `^cl_[0-9a-f]{64}$`, plain)
	require.Equal(t, "laptop", tok.Label)
	require.Equal(t, start, tok.CreatedAt)

	st, err := e.s.StaffByToken(e.ctx, plain)
	require.NoError(t, err)
	require.Equal(t, sup.ID, st.ID)
	require.Equal(t, tok.ID, st.TokenID)
	require.Equal(t, []care.CommuneCode{a, b}, st.Team, "their own and their active team's communes, once each")
	require.Equal(t, []care.CommuneCode{a, b}, st.Communes())
	require.True(t, st.Sees(b))
	require.False(t, st.Sees(c))

	require.NoError(t, e.s.RevokeAPIToken(e.ctx, sup.ID, tok.ID))
	_, err = e.s.StaffByToken(e.ctx, plain)
	requireCode(t, care.EUNAUTHORIZED, err)
	_, err = e.s.StaffByToken(e.ctx, "not a token")
	requireCode(t, care.EUNAUTHORIZED, err)
}

// A write that fails leaves no audit row, and an audit row never outlives its write.
func TestAuditedWritesCommitWithTheirRecord(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	by := w.manager.ID
	auditRows := func() int {
		var n int
		require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT count(*) FROM audit_log`).Scan(&n))
		return n
	}

	dup := &care.Person{Phone: w.person.Phone, Name: "X", Commune: w.commune, Language: care.Vietnamese, Channel: care.ChannelSMS, Status: care.PersonActive}
	requireCode(t, care.ECONFLICT, e.s.CreatePersonAs(e.ctx, by, dup))
	_, err := e.s.MoveCaseAs(e.ctx, by, w.kase.ID, care.EventPlan, "")
	requireCode(t, care.EINVALID, err)
	_, err = e.s.AcknowledgeEscalationAs(e.ctx, by, 999, time.Time{})
	requireCode(t, care.ENOTFOUND, err)
	refused := care.Errorf(care.EINVALID, "refused")
	_, err = e.s.ChangePersonAs(e.ctx, by, w.person.ID, func(p *care.Person) (string, []string, error) {
		p.Name = "Changed"
		return "", nil, refused
	})
	require.Same(t, refused, err, "change's error comes back as it was")
	_, err = e.s.ChangePersonAs(e.ctx, by, w.person.ID, func(p *care.Person) (string, []string, error) {
		p.Name = ""
		return care.AuditPersonUpdate, []string{"name"}, nil
	})
	requireCode(t, care.EINVALID, err)
	require.Zero(t, auditRows())
	p, err := e.s.Person(e.ctx, w.person.ID)
	require.NoError(t, err)
	require.Equal(t, w.person.Name, p.Name)

	later := e.clock.Advance(time.Minute)
	p, err = e.s.ChangePersonAs(e.ctx, by, w.person.ID, func(p *care.Person) (string, []string, error) {
		p.Name = "Trần Văn Bình"
		return care.AuditPersonUpdate, []string{"name"}, nil
	})
	require.NoError(t, err)
	require.Equal(t, later, p.UpdatedAt)
	entries, err := storetest.AuditLog(e.ctx, e.s, "person", int64(w.person.ID))
	require.NoError(t, err)
	require.Equal(t, []care.AuditEntry{{ID: entries[0].ID, ActorID: by, Action: care.AuditPersonUpdate, Entity: "person",
		EntityID: int64(w.person.ID), Detail: map[string]any{"fields": []any{"name"}}, At: later}}, entries)
}

func TestListCursorsAreChecked(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	for _, cursor := range []string{"%%%", "eA", "MHwx", "LTE"} { // not base64, "x", "0|1", "-1"
		_, _, err := e.s.ListPersons(e.ctx, care.PersonFilter{}, care.Page{Cursor: cursor})
		requireCode(t, care.EINVALID, err)
		require.Equal(t, "cursor", care.ErrorField(err))
		_, _, err = e.s.ListEscalations(e.ctx, care.EscalationFilter{}, care.Page{Cursor: cursor})
		requireCode(t, care.EINVALID, err)
	}
	ps, next, err := e.s.ListPersons(e.ctx, care.PersonFilter{Communes: []care.CommuneCode{w.commune}}, care.Page{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.Empty(t, next)
	ps, _, err = e.s.ListPersons(e.ctx, care.PersonFilter{Communes: []care.CommuneCode{}}, care.Page{})
	require.NoError(t, err)
	require.Empty(t, ps, "an empty commune list sees nothing; only nil sees all")
}
