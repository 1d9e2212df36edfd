package workers_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestAnsweredCheckInCloses(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", true)
	e.schedule(p, time.Monday, 9, 0)
	due := time.Date(2026, 3, 2, 9, 0, 0, 0, e.loc)

	e.at(due.Add(-time.Minute))
	require.Empty(t, e.sender.all())
	e.at(due)
	got := e.sender.to(p.Phone)
	require.Len(t, got, 1)
	require.Equal(t, "Caseline hoi tham: dao nay moi viec cua ban the nao? Tra loi 1: moi viec on, 2: toi can giup do.", got[0].Body)
	require.Equal(t, "sent", e.str(`SELECT status FROM checkin`))

	// The flow records the answer "1".
	e.exec(`UPDATE checkin SET status = 'fine', answered_at = $1`, due.Add(time.Hour))
	e.at(due.Add(24 * time.Hour))
	e.at(due.Add(49 * time.Hour))
	require.Len(t, e.sender.all(), 1, "no retry, no caregiver copy, no escalation SMS")
	require.Equal(t, "fine", e.str(`SELECT status FROM checkin WHERE due_at = $1`, due))
	require.EqualValues(t, 0, e.int64(`SELECT count(*) FROM escalation`))
}

func TestUnansweredCheckInIsRetriedThenEscalatesUpTheLadder(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", true)
	e.schedule(p, time.Monday, 9, 0)
	due := time.Date(2026, 3, 2, 9, 0, 0, 0, e.loc)

	e.at(due)
	require.Len(t, e.sender.to(p.Phone), 1)
	e.at(due.Add(24*time.Hour - time.Minute))
	require.Len(t, e.sender.to(p.Phone), 1)

	e.at(due.Add(24 * time.Hour)) // half-way through the 48 h window
	got := e.sender.to(p.Phone)
	require.Len(t, got, 2)
	require.Contains(t, got[1].Body, "Caseline hoi tham lan nua:")
	helper := e.sender.to(p.Helper)
	require.Len(t, helper, 1, "the consenting caregiver is asked too")
	require.Contains(t, helper[0].Body, "Nguyen Van An")
	require.Equal(t, "retried", e.str(`SELECT status FROM checkin`))

	e.at(due.Add(48*time.Hour - time.Minute))
	require.Empty(t, e.sender.to(e.mgr.Phone))
	deadline := due.Add(48 * time.Hour)
	e.at(deadline)
	require.Equal(t, "missed", e.str(`SELECT status FROM checkin`))
	esc := e.int64(`SELECT id FROM escalation WHERE reason = 'checkin_missed'`)
	code := strconv.FormatInt(esc, 10)
	mgr := e.sender.to(e.mgr.Phone)
	require.Len(t, mgr, 1)
	require.Equal(t, "Caseline #"+code+": Nguyen Van An "+string(p.Phone)+" khong tra loi hoi tham. Tra loi XN "+code, mgr[0].Body)
	require.Equal(t, deadline, mgr[0].At, "the case manager is told at the deadline")

	e.at(deadline.Add(24*time.Hour - time.Minute))
	require.Empty(t, e.sender.to(e.sup.Phone))
	e.at(deadline.Add(24 * time.Hour))
	sup := e.sender.to(e.sup.Phone)
	require.Len(t, sup, 1, "unacknowledged for the SLA: the supervisor is told")
	require.Contains(t, sup[0].Body, "chua ai nhan")
	require.Contains(t, sup[0].Body, "XN "+code)
	require.EqualValues(t, 1, e.int64(`SELECT level FROM escalation`))

	// The supervisor replies "XN code" (the flow records it).
	e.exec(`UPDATE escalation SET status = 'acknowledged', acked_by = $1, acked_at = $2`, e.sup.ID, deadline.Add(25*time.Hour))
	e.at(deadline.Add(72 * time.Hour))
	require.Empty(t, e.sender.to(e.duty.Phone), "acknowledged: the ladder stops")

	// Resolved: everyone told hears it, once.
	e.exec(`UPDATE escalation SET status = 'resolved', resolved_by = $1, resolved_at = $2`, e.mgr.ID, deadline.Add(73*time.Hour))
	e.at(deadline.Add(73 * time.Hour))
	e.at(deadline.Add(74 * time.Hour))
	require.Len(t, e.sender.to(e.mgr.Phone), 2)
	require.Len(t, e.sender.to(e.sup.Phone), 2)
	require.Equal(t, "Caseline #"+code+": da xu ly xong. Cam on.", e.sender.to(e.mgr.Phone)[1].Body)
	require.Empty(t, e.sender.to(e.duty.Phone))
	require.Len(t, e.sender.to(p.Phone), 2, "the person hears nothing of the escalation")
}

func TestUnacknowledgedUrgentEscalationReachesTheDutyOfficer(t *testing.T) {
	e := setup(t)
	p := e.person("", "en", false)
	// A help request about abuse, as the Get help flow writes it: urgent, before anyone is told.
	esc := e.askHelp(p, care.HelpRequest{Category: care.HelpAbuse, Channel: care.ChannelSMS, InDanger: true}, true,
		start.Add(15*time.Minute))
	code := strconv.FormatInt(int64(esc), 10)

	e.at(start)
	mgr := e.sender.to(e.mgr.Phone)
	require.Len(t, mgr, 1)
	require.Equal(t, "AT Caseline #"+code+": yeu cau tro giup khan tu Nguyen Van An "+string(p.Phone)+". Tra loi XN "+code, mgr[0].Body,
		"the safety code first, no details")
	e.at(start.Add(15 * time.Minute))
	require.Len(t, e.sender.to(e.sup.Phone), 1)
	e.at(start.Add(29 * time.Minute))
	require.Empty(t, e.sender.to(e.duty.Phone))
	e.at(start.Add(30 * time.Minute))
	duty := e.sender.to(e.duty.Phone)
	require.Len(t, duty, 1)
	require.NotContains(t, duty[0].Body, "abuse")
	require.NotContains(t, duty[0].Body, "bao luc")
	e.at(start.Add(5 * time.Hour))
	require.Len(t, e.sender.all(), 3, "the top of the ladder is told once; the person hears nothing")
	require.EqualValues(t, 3, e.int64(`SELECT count(*) FROM escalation_notice WHERE escalation_id = $1`, esc))
}

func TestHelpFromAnUnregisteredCallerReachesTheCommunesCaseManager(t *testing.T) {
	e := setup(t)
	caller := e.w.Phone()
	esc := e.askHelp(person{}, care.HelpRequest{Phone: caller, Category: care.HelpDevice, Channel: care.ChannelVoice}, false,
		start.Add(24*time.Hour))
	e.at(start)
	code := strconv.FormatInt(int64(esc), 10)
	got := e.sender.to(e.mgr.Phone)
	require.Len(t, got, 1)
	require.Equal(t, "Caseline #"+code+": "+string(caller)+" can tro giup: dung cu tro giup. Tra loi XN "+code, got[0].Body)
	require.Empty(t, e.sender.to(caller), "the caller hears nothing from the workers")
}
