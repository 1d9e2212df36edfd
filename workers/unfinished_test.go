package workers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// talk runs turns through the real dialog engine on e's store and clock.
func (e *env) talk(ch care.Channel, phone care.Phone, key string, texts ...string) {
	e.t.Helper()
	engine := flows.NewEngine(flows.Deps{Turns: e.st, Clock: e.clock})
	for i, text := range texts {
		in := flows.Input{Channel: ch, Provider: care.ProviderTwilio, Phone: phone, Text: text,
			ProviderID: fmt.Sprintf("%s-%d-%d", key, e.clock.Now().UnixNano(), i)}
		if ch == care.ChannelUSSD {
			in.Provider, in.SessionKey, in.New = care.ProviderAfricasTalking, key, i == 0
		}
		if ch == care.ChannelVoice {
			in.New = i == 0
		}
		_, err := engine.Handle(e.ctx, in)
		require.NoError(e.t, err)
	}
}

func TestAHelpFlowDroppedAfterItsCategoryIsReportedOnceWhenItCanNoLongerGoOn(t *testing.T) {
	tests := []struct {
		name    string
		channel care.Channel
		texts   []string // the caller's turns; "" dials (USSD, voice)
		life    time.Duration
		who     string // "manager" or "roster"
		urgent  bool
		want    string // in the staff SMS
	}{
		{"SMS, health", care.ChannelSMS, []string{"GIUP", "1"}, time.Hour, "manager", false,
			"can tro giup: suc khoe (moi bat dau, chua xong)"},
		{"SMS, safety, at the urgent question", care.ChannelSMS, []string{"GIUP", "5"}, time.Hour, "manager", true,
			"AT Caseline #%d: yeu cau tro giup khan tu"},
		{"USSD, dropped again at the resume offer", care.ChannelUSSD, []string{"", "3", "2", "1"}, 30 * time.Minute, "manager", false,
			"can tro giup: dung cu tro giup (moi bat dau, chua xong)"},
		{"voice, call back", care.ChannelVoice, []string{"", "3", "6"}, 30 * time.Minute, "manager", false,
			"muon duoc goi lai (moi bat dau, chua xong)"},
		{"unregistered, USSD, no commune yet", care.ChannelUSSD, []string{"", "3", "4"}, 30 * time.Minute, "roster", false,
			"can tro giup: hoc tap, viec lam (moi bat dau, chua xong)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			roster := e.rosterMember()
			caller := e.person("", "vi", false).Phone
			to := e.mgr.Phone
			if tt.who == "roster" {
				caller, to = e.w.Phone(), roster.Phone
			}
			e.talk(tt.channel, caller, "S1", tt.texts...)
			if tt.name == "USSD, dropped again at the resume offer" {
				e.talk(care.ChannelUSSD, caller, "S1x", "") // a new dial offers to resume: still pending
			}
			dropped := e.clock.Now()
			e.at(dropped.Add(tt.life - time.Second))
			require.Empty(t, e.sender.to(to), "it can still be continued")
			e.at(dropped.Add(tt.life + time.Second))
			got := e.sender.to(to)
			require.Len(t, got, 1, "reported once its session can no longer go on")
			esc := e.int64(`SELECT e.id FROM escalation e JOIN help_request h ON h.id = e.help_request_id WHERE h.unfinished`)
			want := tt.want
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, esc)
			}
			require.Contains(t, got[0].Body, want)
			require.Equal(t, tt.urgent, e.int64(`SELECT count(*) FROM escalation WHERE id = $1 AND urgent`, esc) == 1)
			require.Empty(t, e.sender.to(caller), "never called back automatically")
			e.at(dropped.Add(3 * tt.life))
			require.Len(t, e.sender.to(to), 1, "reported once")
			require.EqualValues(t, 1, e.int64(`SELECT count(*) FROM help_request WHERE unfinished`))
		})
	}
}

func TestAHelpFlowFinishedOrLeftIsNotReported(t *testing.T) {
	e := setup(t)
	p := e.person("", "vi", false)
	e.talk(care.ChannelSMS, p.Phone, "S1", "GIUP", "1", "xe lăn", "2") // filed
	other := e.person("", "vi", false)
	e.talk(care.ChannelSMS, other.Phone, "S2", "GIUP", "1", "MENU") // left for the menu
	e.at(e.clock.Now().Add(3 * time.Hour))
	require.EqualValues(t, 0, e.int64(`SELECT count(*) FROM help_request WHERE unfinished`))
	require.Len(t, e.sender.to(e.mgr.Phone), 1, "the one filed request")
}

// rosterMember puts a duty officer with no commune on the on-call roster.
func (e *env) rosterMember() *care.CaseManager {
	return e.w.Staff("", care.RoleDutyOfficer, 0)
}

func TestTheRosterClimbsAndNobodyAtAllIsCountedUnrouted(t *testing.T) {
	e := setup(t)
	first, second := e.rosterMember(), e.rosterMember()
	caller := e.w.Phone()
	e.talk(care.ChannelSMS, caller, "S1", "GIUP", "2", "1", "1", "1") // no commune, in danger
	e.at(e.clock.Now())
	esc := e.int64(`SELECT id FROM escalation`)
	got := e.sender.to(first.Phone)
	require.Len(t, got, 1, "the first on call")
	require.Contains(t, got[0].Body, fmt.Sprintf("Caseline #%d: KHAN %s can tro giup", esc, string(caller)))
	e.at(e.clock.Now().Add(15 * time.Minute))
	require.Len(t, e.sender.to(second.Phone), 1, "unacknowledged for the urgent SLA: the next on call")
	require.Empty(t, e.sender.to(e.mgr.Phone))
	_, err := e.st.ResolveEscalationAs(e.ctx, second.ID, care.EscalationID(esc), "đã gọi lại", e.clock.Now())
	require.NoError(t, err)
	e.at(e.clock.Now().Add(time.Second))
	for _, on := range []*care.CaseManager{first, second} {
		got := e.sender.to(on.Phone)
		require.Len(t, got, 2, "everyone on call who was told hears it is resolved")
		require.Equal(t, fmt.Sprintf("Caseline #%d: da xu ly xong. Cam on.", esc), got[1].Body)
	}

	// With nobody on call and no commune, the request is saved and counted, and nobody told.
	e.exec(`UPDATE case_manager SET active = false WHERE commune IS NULL`)
	lost := e.w.Phone()
	e.talk(care.ChannelSMS, lost, "S2", "GIUP", "1", "1", "1", "2")
	before := len(e.sender.all())
	e.at(e.clock.Now())
	e.at(e.clock.Now().Add(48 * time.Hour))
	require.Len(t, e.sender.all(), before, "nobody to tell")
	n, err := e.st.UnroutedHelpRequests(e.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.Equal(t, "open", e.str(`SELECT h.status FROM help_request h WHERE h.phone = $1`, lost), "the request is still saved")

	// A duty officer goes on call later: within care.RerouteEvery they get it, as a first
	// notice (not "nobody took it"), and it is no longer counted unrouted.
	late := e.rosterMember()
	e.at(e.clock.Now().Add(care.RerouteEvery))
	got = e.sender.to(late.Phone)
	require.Len(t, got, 1, "the request reaches the duty officer added later")
	lostEsc := e.int64(`SELECT e.id FROM escalation e JOIN help_request h ON h.id = e.help_request_id WHERE h.phone = $1`, lost)
	require.Equal(t, fmt.Sprintf("Caseline #%d: %s can tro giup: suc khoe. Tra loi XN %d", lostEsc, string(lost), lostEsc), got[0].Body)
	n, err = e.st.UnroutedHelpRequests(e.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "the gauge goes down")
	e.at(e.clock.Now().Add(care.RerouteEvery))
	require.Len(t, e.sender.to(late.Phone), 1, "told once")
	e.at(e.clock.Now().Add(24 * time.Hour))
	require.Len(t, e.sender.to(late.Phone), 1, "the ladder climbs from where it reached someone: the roster's next rung is empty")
}

// TestAStandInRungIsToldAsNews: with the case manager gone (inactive) and nobody on call, the
// supervisor is the first told; their notice does not say "nobody took it" — only a later
// rung's does, once someone was told and did not acknowledge.
func TestAStandInRungIsToldAsNews(t *testing.T) {
	e := setup(t)
	p := e.person("", "vi", false)
	e.exec(`UPDATE case_manager SET active = false WHERE id = $1`, e.mgr.ID)
	e.talk(care.ChannelSMS, p.Phone, "S1", "GIUP", "1", "1", "2")
	e.at(e.clock.Now())
	require.Empty(t, e.sender.to(e.mgr.Phone))
	sup := e.sender.to(e.sup.Phone)
	require.Len(t, sup, 1, "the supervisor stays the second rung, first with someone on it")
	require.NotContains(t, sup[0].Body, "chua ai nhan")
	e.at(e.clock.Now().Add(care.DefaultSLA.Normal))
	duty := e.sender.to(e.duty.Phone)
	require.Len(t, duty, 1)
	require.Contains(t, duty[0].Body, "chua ai nhan", "the supervisor was told and did not acknowledge")
}

// TestARegistrationNobodyCanTakeReachesTheRoster: registered in a commune without staff, the
// person's registration reaches the on-call roster's phone, saying what it is.
func TestARegistrationNobodyCanTakeReachesTheRoster(t *testing.T) {
	e := setup(t)
	e.w.Commune("X9")
	on := e.rosterMember()
	caller := e.w.Phone()
	e.talk(care.ChannelSMS, caller, "R1", "DK", "1", "Lê Văn Cường", "X9", "1", "1", "1")
	e.at(e.clock.Now())
	got := e.sender.to(on.Phone)
	require.Len(t, got, 1)
	esc := e.int64(`SELECT id FROM escalation WHERE reason = 'unassigned'`)
	require.Equal(t, fmt.Sprintf("Caseline #%d: Le Van Cuong %s da dang ky, xa X9 chua co can bo. Tra loi XN %d", esc, string(caller), esc), got[0].Body)
}
