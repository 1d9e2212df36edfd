package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func (e *env) escalation(w world) *care.Escalation {
	e.t.Helper()
	next := start.Add(24 * time.Hour)
	x := &care.Escalation{Reason: care.ReasonCheckInMissed, PersonID: w.person.ID, CaseID: w.kase.ID,
		Commune: w.commune, NextLevelAt: &next}
	require.NoError(e.t, storetest.CreateEscalation(e.ctx, e.s, x))
	return x
}

func TestEscalationRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	sc := e.schedule(w)
	c := e.checkIn(w, sc, start, care.CheckInMissed)
	a := e.appointment(w, start.Add(time.Hour))
	h := &care.HelpRequest{PersonID: w.person.ID, Phone: w.person.Phone, Commune: w.commune, Category: care.HelpHealth, Channel: care.ChannelSMS}
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, h))
	next := start.Add(15 * time.Minute)
	acked, resolved := start.Add(time.Minute), start.Add(2*time.Minute)
	boss := e.fx.Staff(w.commune, care.RoleSupervisor, 0)

	tests := []struct {
		name string
		x    care.Escalation
	}{
		{"every reference", care.Escalation{Reason: care.ReasonHelpRequest, Urgent: true, PersonID: w.person.ID,
			CaseID: w.kase.ID, Commune: w.commune, HelpRequestID: h.ID, CheckInID: c.ID, AppointmentID: a.ID,
			Level: care.LevelSupervisor, NextLevelAt: &next, Notified: true}},
		{"unregistered caller, open by default", care.Escalation{Reason: care.ReasonUnreachable}},
		{"already closed", care.Escalation{Reason: care.ReasonCannotCome, AppointmentID: a.ID, Level: care.TopLevel,
			Status: care.EscalationResolved, AckedBy: boss.ID, AckedAt: &acked, ResolvedBy: boss.ID,
			ResolvedAt: &resolved, Outcome: "đã gọi lại"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tt.x
			require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, &x))
			require.NotZero(t, x.ID)
			require.Equal(t, start, x.CreatedAt)
			require.Equal(t, start, x.UpdatedAt)
			got, err := e.s.Escalation(e.ctx, x.ID)
			require.NoError(t, err)
			if tt.x.Status == "" {
				require.Equal(t, care.EscalationOpen, got.Status)
			}
			require.Equal(t, &x, got)
		})
	}
}

func TestEscalationErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	sc := e.schedule(w)
	c := e.checkIn(w, sc, start, care.CheckInMissed)
	h := &care.HelpRequest{Phone: e.fx.Phone(), Category: care.HelpOther, Channel: care.ChannelSMS}
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, h))
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, &care.Escalation{Reason: care.ReasonHelpRequest, HelpRequestID: h.ID}))
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, &care.Escalation{Reason: care.ReasonCheckInMissed, CheckInID: c.ID}))

	tests := []struct {
		name string
		x    care.Escalation
		code string
	}{
		{"second escalation of a help request", care.Escalation{Reason: care.ReasonHelpRequest, HelpRequestID: h.ID}, care.ECONFLICT},
		{"second escalation of a missed check-in", care.Escalation{Reason: care.ReasonCheckInMissed, CheckInID: c.ID}, care.ECONFLICT},
		{"unknown reason", care.Escalation{Reason: "bored"}, care.EINVALID},
		{"level above the ladder", care.Escalation{Reason: care.ReasonUnreachable, Level: 3}, care.EINVALID},
		{"status the schema refuses", care.Escalation{Reason: care.ReasonUnreachable, Status: "lost"}, care.EINVALID},
		{"acknowledged without who", care.Escalation{Reason: care.ReasonUnreachable, Status: care.EscalationAcknowledged}, care.EINVALID},
		{"unknown case", care.Escalation{Reason: care.ReasonUnreachable, CaseID: 424242}, care.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := tt.x
			requireCode(t, tt.code, storetest.CreateEscalation(e.ctx, e.s, &x))
		})
	}
	// A need-help answer to the same check-in is another reason: it escalates on its own.
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, &care.Escalation{Reason: care.ReasonNeedHelp, CheckInID: c.ID}))

	_, err := e.s.Escalation(e.ctx, 424242)
	requireCode(t, care.ENOTFOUND, err)
	_, err = e.s.AcknowledgeEscalationAs(e.ctx, w.manager.ID, 424242, start)
	requireCode(t, care.ENOTFOUND, err)
	_, err = e.s.ResolveEscalationAs(e.ctx, w.manager.ID, 424242, "", start)
	requireCode(t, care.ENOTFOUND, err)
}

func TestAcknowledgeEscalation(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	x := e.escalation(w)
	at := start.Add(10 * time.Minute)
	later := e.clock.Advance(11 * time.Minute)

	got, err := e.s.AcknowledgeEscalationAs(e.ctx, w.manager.ID, x.ID, at)
	require.NoError(t, err)
	want := *x
	want.Status, want.AckedBy, want.AckedAt, want.NextLevelAt, want.UpdatedAt = care.EscalationAcknowledged, w.manager.ID, &at, nil, later
	require.Equal(t, &want, got)
	stored, err := e.s.Escalation(e.ctx, x.ID)
	require.NoError(t, err)
	require.Equal(t, &want, stored)

	_, err = e.s.AcknowledgeEscalationAs(e.ctx, w.manager.ID, x.ID, at)
	requireCode(t, care.ECONFLICT, err)
	stored, err = e.s.Escalation(e.ctx, x.ID)
	require.NoError(t, err)
	require.Equal(t, &want, stored, "a second acknowledgement changes nothing")

	y := e.escalation(w)
	_, err = e.s.AcknowledgeEscalationAs(e.ctx, 424242, y.ID, at)
	requireCode(t, care.EINVALID, err)
	_, err = e.s.ResolveEscalationAs(e.ctx, w.manager.ID, y.ID, "xong", at)
	require.NoError(t, err)
	_, err = e.s.AcknowledgeEscalationAs(e.ctx, w.manager.ID, y.ID, at)
	requireCode(t, care.ECONFLICT, err)
}

func TestResolveEscalation(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	boss := e.fx.Staff(w.commune, care.RoleSupervisor, 0)
	ackAt, at := start.Add(5*time.Minute), start.Add(time.Hour)
	tests := []struct {
		name string
		ack  bool
	}{
		{"from open", false},
		{"from acknowledged", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := e.escalation(w)
			want := *x
			if tt.ack {
				acked, err := e.s.AcknowledgeEscalationAs(e.ctx, w.manager.ID, x.ID, ackAt)
				require.NoError(t, err)
				want = *acked
			}
			later := e.clock.Advance(time.Minute)
			got, err := e.s.ResolveEscalationAs(e.ctx, boss.ID, x.ID, "đã đến thăm", at)
			require.NoError(t, err)
			want.Status, want.ResolvedBy, want.ResolvedAt, want.Outcome = care.EscalationResolved, boss.ID, &at, "đã đến thăm"
			want.NextLevelAt, want.UpdatedAt = nil, later
			require.Equal(t, &want, got)
			stored, err := e.s.Escalation(e.ctx, x.ID)
			require.NoError(t, err)
			require.Equal(t, &want, stored)

			_, err = e.s.ResolveEscalationAs(e.ctx, boss.ID, x.ID, "lần hai", at)
			requireCode(t, care.ECONFLICT, err)
			stored, err = e.s.Escalation(e.ctx, x.ID)
			require.NoError(t, err)
			require.Equal(t, &want, stored, "resolving twice changes nothing")
		})
	}
}
