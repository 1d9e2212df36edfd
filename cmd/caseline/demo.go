package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
)

// The demo's commune, staff and people. Their numbers are what `caseline dev` tells a
// newcomer to type into the phone simulator.
const (
	demoCommune       care.CommuneCode = "17245" // digits, so a voice caller can key it in
	demoManagerPhone  care.Phone       = "+84901000101"
	demoManager2Phone care.Phone       = "+84901000102"
	demoSuperPhone    care.Phone       = "+84901000103"
	demoDutyPhone     care.Phone       = "+84901000104"
	demoApproverPhone care.Phone       = "+84901000105"
	// demoRosterPhone is the on-call duty officer of the service-wide roster (no commune):
	// help from a caller who names no commune reaches this phone.
	demoRosterPhone  care.Phone = "+84901000109"
	demoDeafPhone    care.Phone = "+84912000001"
	demoBlindPhone   care.Phone = "+84912000002"
	demoFeaturePhone care.Phone = "+84912000003"
)

// demoWorld is what seedDemo made or found.
type demoWorld struct {
	ManagerID care.ManagerID
	Token     string // a fresh API token of the first case manager
}

// seedDemo writes the demo data once: a commune with two case managers, their supervisor, a
// duty officer and an approver; a duty officer on the service-wide on-call roster; a deaf, a
// blind and a feature-phone user; the deaf user's case with an approved plan, an appointment
// tomorrow and a weekly check-in. A database that has the commune already is left as it is,
// except that the on-call duty officer is added if missing. Each start makes a new API token
// for the first case manager, since only tokens' hashes are kept.
func seedDemo(ctx context.Context, st *store.Store, loc *time.Location, now time.Time) (demoWorld, error) {
	var w demoWorld
	if _, err := st.Commune(ctx, demoCommune); err == nil {
		m, err := st.ManagerByPhone(ctx, demoManagerPhone)
		if err != nil {
			return w, fmt.Errorf("demo: find case manager: %w", err)
		}
		w.ManagerID = m.ID
	} else if care.ErrorCode(err) != care.ENOTFOUND {
		return w, fmt.Errorf("demo: %w", err)
	} else if w, err = seedDemoWorld(ctx, st, loc, now); err != nil {
		return w, err
	}
	if err := seedRoster(ctx, st); err != nil {
		return w, err
	}
	token, _, err := st.CreateAPIToken(ctx, 0, w.ManagerID, "caseline dev")
	if err != nil {
		return w, fmt.Errorf("demo: api token: %w", err)
	}
	w.Token = token
	return w, nil
}

// seedRoster puts the demo's on-call duty officer on the roster unless they are there.
func seedRoster(ctx context.Context, st *store.Store) error {
	_, err := st.ManagerByPhone(ctx, demoRosterPhone)
	if care.ErrorCode(err) != care.ENOTFOUND {
		return err
	}
	m := &care.CaseManager{Name: "Võ Thị Mai", Phone: demoRosterPhone, Role: care.RoleDutyOfficer,
		Language: care.Vietnamese, Active: true}
	if err := st.CreateManager(ctx, m); err != nil {
		return fmt.Errorf("demo: on-call duty officer: %w", err)
	}
	return nil
}

func seedDemoWorld(ctx context.Context, st *store.Store, loc *time.Location, now time.Time) (demoWorld, error) {
	var w demoWorld
	fail := func(what string, err error) (demoWorld, error) { return w, fmt.Errorf("demo: %s: %w", what, err) }
	if err := st.CreateCommune(ctx, &care.Commune{Code: demoCommune, Name: "Xã Tân An", Province: "Hòa Bình"}); err != nil {
		return fail("commune", err)
	}
	staff := func(name string, phone care.Phone, role care.Role, super care.ManagerID) (*care.CaseManager, error) {
		m := &care.CaseManager{Name: name, Phone: phone, Commune: demoCommune, Role: role, SupervisorID: super,
			Language: care.Vietnamese, Active: true}
		return m, st.CreateManager(ctx, m)
	}
	super, err := staff("Trần Thị Hạnh", demoSuperPhone, care.RoleSupervisor, 0)
	if err != nil {
		return fail("supervisor", err)
	}
	lan, err := staff("Nguyễn Thị Lan", demoManagerPhone, care.RoleCaseManager, super.ID)
	if err != nil {
		return fail("case manager", err)
	}
	if _, err := staff("Phạm Văn Đức", demoManager2Phone, care.RoleCaseManager, super.ID); err != nil {
		return fail("case manager", err)
	}
	duty, err := staff("Lê Văn Bình", demoDutyPhone, care.RoleDutyOfficer, 0)
	if err != nil {
		return fail("duty officer", err)
	}
	if err := st.SetDutyOfficer(ctx, demoCommune, duty.ID); err != nil {
		return fail("duty officer", err)
	}
	approver, err := staff("Hoàng Văn Nam", demoApproverPhone, care.RoleApprover, 0)
	if err != nil {
		return fail("approver", err)
	}
	w.ManagerID = lan.ID

	consent := now
	person := func(name string, phone care.Phone, ch care.Channel, profile ...care.Disability) (*care.Person, error) {
		p := &care.Person{Phone: phone, Name: name, Commune: demoCommune, Language: care.Vietnamese,
			Profile: profile, Channel: ch, ConsentAt: &consent, Status: care.PersonActive}
		return p, st.CreatePerson(ctx, p)
	}
	hoa, err := person("Đỗ Thị Hoa", demoDeafPhone, care.ChannelSMS, care.Deaf)
	if err != nil {
		return fail("deaf person", err)
	}
	if _, err := person("Vũ Văn Minh", demoBlindPhone, care.ChannelVoice, care.Blind); err != nil {
		return fail("blind person", err)
	}
	if _, err := person("Bùi Thị Thu", demoFeaturePhone, care.ChannelUSSD); err != nil {
		return fail("feature-phone person", err)
	}

	// Hoa's case walks the Circular's steps to monitoring: assessed, planned, approved.
	c := &care.Case{PersonID: hoa.ID, ManagerID: lan.ID, Commune: demoCommune}
	if err := st.OpenCase(ctx, c); err != nil {
		return fail("case", err)
	}
	a := &care.Assessment{CaseID: c.ID, AssessedBy: lan.ID, AssessedAt: now, Summary: "Cần máy trợ thính và học nghề.",
		Needs: []care.Need{{Area: care.NeedHealth, Priority: 3, Note: "máy trợ thính"}, {Area: care.NeedEducation, Priority: 2, Note: "học may"}}}
	if err := st.RecordAssessment(ctx, a); err != nil {
		return fail("assessment", err)
	}
	if _, err := st.MoveCaseAs(ctx, lan.ID, c.ID, care.EventPlan, "demo"); err != nil {
		return fail("move to planning", err)
	}
	due := now.AddDate(0, 1, 0)
	plan := &care.SupportPlan{CaseID: c.ID, CreatedBy: lan.ID, Status: care.PlanDraft,
		Goals: []string{"Nghe rõ hơn khi giao tiếp", "Có nghề may tại nhà"},
		Services: []care.PlanService{
			{Area: care.NeedHealth, Description: "Cấp máy trợ thính", Provider: "Trung tâm PHCN tỉnh", Due: &due, Status: care.ServiceInProgress},
			{Area: care.NeedEducation, Description: "Lớp học may 3 tháng", Provider: "Trung tâm GDNN huyện", Status: care.ServicePlanned},
		}}
	if err := st.CreatePlan(ctx, plan); err != nil {
		return fail("plan", err)
	}
	if _, err := st.SubmitPlanAs(ctx, lan.ID, plan.ID, untold{}); err != nil {
		return fail("submit plan", err)
	}
	if _, err := st.ApprovePlanAs(ctx, approver.ID, plan.ID, untold{}); err != nil {
		return fail("approve plan", err)
	}
	for _, ev := range []care.CaseEvent{care.EventImplement, care.EventMonitor} {
		if _, err := st.MoveCaseAs(ctx, lan.ID, c.ID, ev, "demo"); err != nil {
			return fail("move case", err)
		}
	}

	// An appointment tomorrow at 09:00 local time, with its reminders, and a weekly check-in.
	y, mo, d := now.In(loc).AddDate(0, 0, 1).Date()
	appt := &care.Appointment{CaseID: c.ID, PersonID: hoa.ID, At: time.Date(y, mo, d, 9, 0, 0, 0, loc),
		Place: "Trạm y tế xã Tân An", Purpose: "Đo thính lực", Status: care.AppointmentScheduled}
	if err := st.CreateAppointment(ctx, appt); err != nil {
		return fail("appointment", err)
	}
	if err := st.ScheduleReminders(ctx, appt.ID, care.DefaultReminderPlan(loc)); err != nil {
		return fail("reminders", err)
	}
	if err := st.CreateSchedule(ctx, &care.CheckInSchedule{CaseID: c.ID, Weekday: time.Monday, Minute: 9 * 60,
		Window: 48 * time.Hour, Active: true}); err != nil {
		return fail("check-in schedule", err)
	}
	return w, nil
}

// printDemo tells a newcomer how to talk to the running system.
func printDemo(out io.Writer, cfg config, self, fakeTwilio string, w demoWorld) error {
	base := cfg.PublicBaseURL
	_, err := fmt.Fprintf(out, `
Caseline is running (dev). Nothing here reaches a real phone: Twilio is the fake at %[2]s.

Talk to it as a phone (another terminal):
  %[8]s phone -from %[3]s        # deaf user: type  sms MENU, sms GIUP, sms TT
  %[8]s phone -from %[4]s        # blind user: type  call, then press digits
  %[8]s phone -from +84987654321        # a stranger: ussd *123#, then 1 to register
  %[8]s phone -from %[5]s        # case manager: sms XN <code> acknowledges
  %[8]s phone -from %[7]s        # on-call duty officer: help from callers of no commune

See what Caseline sent (SMS and calls reaching the fake Twilio):
  curl -s %[2]s/_fake/messages
  curl -s %[2]s/_fake/calls

Staff console (sign in with %[5]s; the code arrives as an SMS to the fake Twilio):
  open %[1]s/console/
  curl -s '%[2]s/_fake/messages?to=%[5]s'

Case-manager API (token of %[5]s, shown once):
  curl -s -H 'Authorization: Bearer %[6]s' %[1]s/api/v1/escalations
  curl -s %[1]s/api/v1/openapi.json

Health: curl -s %[1]s/readyz
`, base, fakeTwilio, demoDeafPhone.E164(), demoBlindPhone.E164(), demoManagerPhone.E164(), w.Token, demoRosterPhone.E164(), self)
	return err
}

// untold is the demo's news of its plan's way to approval: none. The demo seeds a history
// through the staff's own audited doors; nobody is to be told of it as if it happened now.
type untold struct{ care.Announcer }

func (untold) Plan(care.PlanNews) []care.Outgoing { return nil }
