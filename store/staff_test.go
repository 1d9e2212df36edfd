package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestCommuneRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	c := &care.Commune{Code: "vi-xuyen_01", Name: "Xã Đạo Đức", Province: "Hà Giang"}
	require.NoError(t, e.s.CreateCommune(e.ctx, c))
	got, err := e.s.Commune(e.ctx, c.Code)
	require.NoError(t, err)
	require.Equal(t, c, got)

	officer := e.fx.Staff(c.Code, care.RoleDutyOfficer, 0)
	require.NoError(t, e.s.SetDutyOfficer(e.ctx, c.Code, officer.ID))
	got, err = e.s.Commune(e.ctx, c.Code)
	require.NoError(t, err)
	require.Equal(t, officer.ID, got.DutyOfficerID)

	require.NoError(t, e.s.SetDutyOfficer(e.ctx, c.Code, 0))
	got, err = e.s.Commune(e.ctx, c.Code)
	require.NoError(t, err)
	require.Zero(t, got.DutyOfficerID)

	// A commune created with its duty officer keeps it.
	d := &care.Commune{Code: "x2", Name: "Xã Hai", DutyOfficerID: officer.ID}
	require.NoError(t, e.s.CreateCommune(e.ctx, d))
	got, err = e.s.Commune(e.ctx, d.Code)
	require.NoError(t, err)
	require.Equal(t, d, got)
}

func TestManagerRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	commune := e.fx.Commune("x1")
	boss := e.fx.Staff(commune, care.RoleSupervisor, 0)
	tests := []struct {
		name string
		m    care.CaseManager
	}{
		{"case manager with supervisor", care.CaseManager{Name: "Chị Mai", Phone: e.fx.Phone(), Commune: commune,
			Role: care.RoleCaseManager, SupervisorID: boss.ID, Language: care.English, Active: true}},
		{"inactive approver without supervisor", care.CaseManager{Name: "Ông Chủ tịch", Phone: e.fx.Phone(),
			Commune: commune, Role: care.RoleApprover, Language: care.Vietnamese}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			require.NoError(t, e.s.CreateManager(e.ctx, &m))
			require.NotZero(t, m.ID)
			got, err := e.s.Manager(e.ctx, m.ID)
			require.NoError(t, err)
			require.Equal(t, &m, got)
			got, err = e.s.ManagerByPhone(e.ctx, m.Phone)
			require.NoError(t, err)
			require.Equal(t, &m, got)
		})
	}
}

func TestStaffErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	commune := e.fx.Commune("x1")
	m := e.fx.Staff(commune, care.RoleCaseManager, 0)
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"duplicate commune", func() error {
			return e.s.CreateCommune(e.ctx, &care.Commune{Code: commune, Name: "again"})
		}, care.ECONFLICT},
		{"commune code the schema refuses", func() error {
			return e.s.CreateCommune(e.ctx, &care.Commune{Code: "has space", Name: "X"})
		}, care.EINVALID},
		{"unknown commune", func() error { _, err := e.s.Commune(e.ctx, "nowhere"); return err }, care.ENOTFOUND},
		{"duty officer of unknown commune", func() error {
			return e.s.SetDutyOfficer(e.ctx, "nowhere", m.ID)
		}, care.ENOTFOUND},
		{"unknown duty officer", func() error {
			return e.s.SetDutyOfficer(e.ctx, commune, 424242)
		}, care.EINVALID},
		{"duplicate staff phone", func() error {
			return e.s.CreateManager(e.ctx, &care.CaseManager{Name: "B", Phone: m.Phone, Commune: commune, Role: care.RoleSupervisor})
		}, care.ECONFLICT},
		{"unknown role", func() error {
			return e.s.CreateManager(e.ctx, &care.CaseManager{Name: "B", Phone: e.fx.Phone(), Commune: commune, Role: "boss"})
		}, care.EINVALID},
		{"unknown manager", func() error { _, err := e.s.Manager(e.ctx, 424242); return err }, care.ENOTFOUND},
		{"unknown manager phone", func() error { _, err := e.s.ManagerByPhone(e.ctx, e.fx.Phone()); return err }, care.ENOTFOUND},
		{"commune without case manager", func() error {
			_, err := e.s.CommuneCaseManager(e.ctx, e.fx.Commune("empty"))
			return err
		}, care.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, tt.code, tt.run())
		})
	}
}

func TestCommuneCaseManagerTakesTheFewestOpenCases(t *testing.T) {
	t.Parallel()
	e := setup(t)
	commune, other := e.fx.Commune("x1"), e.fx.Commune("x2")
	// Staff who never take new cases: another role, inactive, another commune.
	e.fx.Staff(commune, care.RoleSupervisor, 0)
	inactive := &care.CaseManager{Name: "Nghỉ", Phone: e.fx.Phone(), Commune: commune, Role: care.RoleCaseManager}
	require.NoError(t, e.s.CreateManager(e.ctx, inactive))
	elsewhere := e.fx.Staff(other, care.RoleCaseManager, 0)
	e.fx.OpenCase(e.fx.Person(other), elsewhere)

	a := e.fx.Staff(commune, care.RoleCaseManager, 0)
	b := e.fx.Staff(commune, care.RoleCaseManager, 0)
	next := func() care.ManagerID {
		t.Helper()
		m, err := e.s.CommuneCaseManager(e.ctx, commune)
		require.NoError(t, err)
		require.Equal(t, commune, m.Commune)
		return m.ID
	}
	require.Equal(t, a.ID, next(), "a tie goes to the lowest id")
	e.fx.OpenCase(e.fx.Person(commune), a)
	require.Equal(t, b.ID, next())
	bCase := e.fx.OpenCase(e.fx.Person(commune), b)
	e.fx.OpenCase(e.fx.Person(commune), b)
	require.Equal(t, a.ID, next())

	// Closed cases do not count.
	_, err := e.s.Pool().Exec(e.ctx, `UPDATE care_case SET step = 'closed', closed_at = now(), close_reason = 'other' WHERE id = $1`, int64(bCase.ID))
	require.NoError(t, err)
	require.Equal(t, a.ID, next(), "one open case each: the tie goes to the lowest id")

	got, err := e.s.CommuneCaseManager(e.ctx, other)
	require.NoError(t, err)
	require.Equal(t, elsewhere, got)
}
