package workers_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// TestClosingFromEveryStepForEveryReason closes a case from each of the five steps for each
// reason, with an appointment (its reminders written), a weekly check-in, a missed check-in
// escalating and a help request open, then lets the week run: no reminder or check-in reaches
// the provider after the close; the schedules are inactive; the check-in escalation is
// resolved while the help request and its escalation stay open; the person hears once that
// the case closed (by SMS, or by a call for a blind person), except after a death.
func TestClosingFromEveryStepForEveryReason(t *testing.T) {
	e := setup(t)
	news := flows.NewNews(nil, e.loc)
	type closing struct {
		step   care.CaseStep
		reason care.CloseReason
		p      person
		blind  bool
		appt   care.AppointmentID
		sched  care.ScheduleID
		missed care.EscalationID // the check-in escalation
		help   care.EscalationID // the help request's escalation
	}
	var all []*closing
	appt := start.Add(30 * time.Hour) // Tuesday 14:00: reminders Monday 14:00 and Tuesday 12:00
	for _, step := range care.CaseSteps[:5] {
		for i, reason := range care.CloseReasons {
			c := &closing{step: step, reason: reason, blind: i%2 == 1}
			profile := "deaf"
			if c.blind {
				profile = "blind"
			}
			c.p = e.person(profile, "vi", false)
			e.exec(`UPDATE care_case SET step = $2 WHERE id = $1`, c.p.Case, string(step))
			c.appt = e.appointment(c.p, appt, "Trạm y tế xã")
			c.sched = e.schedule(c.p, time.Tuesday, 9, 0)
			due := start.Add(-72 * time.Hour)
			c.missed = e.escalate(c.p, care.Escalation{Reason: care.ReasonCheckInMissed,
				CheckInID: e.checkIn(c.p, c.sched, care.CheckInMissed, due, due, due)}, start.Add(time.Hour))
			c.help = e.askHelp(c.p, care.HelpRequest{Category: care.HelpHealth, Channel: care.ChannelSMS}, false, start.Add(time.Hour))
			all = append(all, c)
		}
	}
	e.at(start) // the staff hear of the escalations; nothing is due for the people yet
	for _, c := range all {
		require.Empty(t, e.sender.to(c.p.Phone), "%s/%s: nothing before the close", c.step, c.reason)
		cl := care.Closure{Reason: c.reason}
		if c.reason == care.CloseOther {
			cl.Note = "chuyển ra nước ngoài"
		}
		closed, err := e.st.CloseCaseAs(e.ctx, e.mgr.ID, c.p.Case, cl, news)
		require.NoError(t, err, "%s/%s", c.step, c.reason)
		require.Equal(t, care.StepClosed, closed.Step)
		require.Equal(t, c.reason, closed.CloseReason)
		_, err = e.st.CloseCaseAs(e.ctx, e.mgr.ID, c.p.Case, cl, news)
		require.Equal(t, care.EINVALID, care.ErrorCode(err), "closing twice")
	}
	for _, at := range []time.Duration{time.Minute, 6 * time.Hour, 25 * time.Hour, 28 * time.Hour, 72 * time.Hour, 8 * 24 * time.Hour} {
		e.at(start.Add(at))
	}
	for _, c := range all {
		name := fmt.Sprintf("%s/%s", c.step, c.reason)
		got := e.sender.to(c.p.Phone)
		if !c.reason.TellsPerson() {
			require.Empty(t, got, "%s: nobody is told after a death", name)
		} else {
			require.Len(t, got, 1, "%s: the close notice and nothing else", name)
			require.Equal(t, c.blind, got[0].Call, name)
			if c.blind {
				u, err := url.Parse(got[0].Body)
				require.NoError(t, err)
				require.Equal(t, fmt.Sprintf("closed:%d", c.p.Case), u.Query().Get("about"), name)
			} else {
				require.Equal(t, "Caseline: Ho so ho tro cua ban da dong. Can giup, gui GIUP. Muon mo lai ho so, xin lien he can bo xa.", got[0].Body, name)
				require.Empty(t, flows.Indiscreet(got[0].Body))
				require.LessOrEqual(t, len(got[0].Body), 160, "one segment")
			}
		}
		require.Zero(t, e.int64(`SELECT count(*) FROM checkin_schedule WHERE case_id = $1 AND active`, c.p.Case), "%s: schedules inactive", name)
		require.Zero(t, e.int64(`SELECT count(*) FROM checkin WHERE case_id = $1 AND status IN ('pending', 'sent', 'retried')`, c.p.Case), name)
		require.Zero(t, e.int64(`SELECT count(*) FROM reminder WHERE appointment_id = $1 AND status <> 'cancelled'`, c.appt), "%s: reminders cancelled", name)
		require.EqualValues(t, 1, e.int64(`SELECT count(*) FROM appointment WHERE id = $1 AND status = 'cancelled'`, c.appt), name)
		require.EqualValues(t, 1, e.int64(`SELECT count(*) FROM escalation WHERE id = $1 AND status = 'resolved'`, c.missed), "%s: check-in escalation stopped", name)
		require.EqualValues(t, 1, e.int64(`SELECT count(*) FROM escalation WHERE id = $1 AND status = 'open'`, c.help), "%s: help escalation open", name)
		require.EqualValues(t, 1, e.int64(`SELECT count(*) FROM help_request WHERE person_id = $1 AND status = 'open'`, c.p.ID), name)
		require.EqualValues(t, 1, e.int64(`SELECT count(*) FROM case_transition WHERE case_id = $1 AND event = 'close' AND reason = $2 AND from_step = $3 AND by_id = $4`,
			c.p.Case, string(c.reason), string(c.step), e.mgr.ID), "%s: the history says who closed it, from where and why", name)
		require.EqualValues(t, 1, e.int64(`SELECT count(*) FROM audit_log WHERE action = 'case.close' AND entity_id = $1 AND actor_id = $2`, c.p.Case, e.mgr.ID), name)
	}
}

// TestReviewsAndServicesComeDueRemindTheCaseManagerOnce: a case in monitoring past its
// review date and a service of its approved plan due today each remind the case manager by
// SMS once, after quiet hours; a service of a draft, a closed case and a case not yet due
// stay quiet.
func TestReviewsAndServicesComeDueRemindTheCaseManagerOnce(t *testing.T) {
	e := setup(t)
	due := e.person("deaf", "vi", false)
	later := e.person("deaf", "vi", false)
	closed := e.person("deaf", "vi", false)
	e.exec(`UPDATE care_case SET step = 'monitoring', next_review_at = $2 WHERE id = $1`, due.Case, start.Add(-8*time.Hour)) // midnight
	e.exec(`UPDATE care_case SET step = 'monitoring', next_review_at = $2 WHERE id = $1`, later.Case, start.Add(48*time.Hour))
	e.exec(`UPDATE care_case SET step = 'closed', closed_at = $2, close_reason = 'goals_met', next_review_at = $2 WHERE id = $1`, closed.Case, start.Add(-time.Hour))
	plan := func(c care.CaseID, status string) int64 {
		approved := any(nil)
		if status == "approved" {
			approved = e.mgr.ID
		}
		return e.int64(`INSERT INTO support_plan (case_id, goals, status, created_by, approved_by, approved_at)
			VALUES ($1, '{g}', $2, $3, $4, CASE WHEN $4::bigint IS NULL THEN NULL ELSE now() END) RETURNING id`, c, status, e.mgr.ID, approved)
	}
	today := start.Format("2006-01-02")
	e.exec(`INSERT INTO plan_service (plan_id, area, description, due) VALUES ($1, 'health', 'Xe lăn', $2), ($1, 'health', 'Khám mắt', $3)`,
		plan(due.Case, "approved"), today, start.AddDate(0, 0, 3).Format("2006-01-02"))
	e.exec(`INSERT INTO plan_service (plan_id, area, description, due) VALUES ($1, 'health', 'Nháp', $2)`, plan(due.Case, "draft"), today)
	e.exec(`INSERT INTO plan_service (plan_id, area, description, due) VALUES ($1, 'health', 'Đóng', $2)`, plan(closed.Case, "approved"), today)

	e.at(start.Add(-7 * time.Hour)) // 01:00: due, but nobody is woken for it
	require.Empty(t, e.sender.to(e.mgr.Phone))
	e.at(start)
	got := e.sender.to(e.mgr.Phone)
	require.Len(t, got, 2)
	bodies := []string{got[0].Body, got[1].Body}
	require.ElementsMatch(t, []string{
		fmt.Sprintf("Caseline: ho so #%d (Nguyen Van An) den han ra soat dinh ky ngay 02/03.", due.Case),
		fmt.Sprintf("Caseline: ho so #%d (Nguyen Van An): dich vu \"Xe lan\" den han ngay 02/03.", due.Case),
	}, bodies)
	e.at(start.Add(time.Hour))
	require.Len(t, e.sender.to(e.mgr.Phone), 2, "once each")

	e.at(start.Add(49 * time.Hour))
	require.Len(t, e.sender.to(e.mgr.Phone), 3, "the later review when it comes")
	e.at(start.AddDate(0, 0, 3).Add(time.Hour))
	require.Len(t, e.sender.to(e.mgr.Phone), 4, "the later service on its day")
	require.Empty(t, e.sender.to(due.Phone), "the person hears nothing of it")
}
