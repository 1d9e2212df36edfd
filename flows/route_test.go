package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
	"github.com/caseline/caseline/flows"
)

// TestHelpSaysWhoWillAnswer files help requests from every kind of caller and checks that
// the confirmation names the route the escalation really takes (as the ladder in the
// database stands), says "right away" only when the urgent ladder runs, gives the emergency
// numbers to a caller in danger, and when nobody can be told promises nothing and gives them
// the emergency numbers as their route.
func TestHelpSaysWhoWillAnswer(t *testing.T) {
	t.Parallel()
	const (
		commune = "Can bo xa se "
		support = "Duong day ho tro se "
		nobody  = "Hien chua co can bo truc"
		now     = " ngay."
		sos     = "goi ngay 113 hoac 111" // bare by SMS: the names would say what it was about
	)
	tests := []struct {
		name     string
		phone    care.Phone
		roster   bool
		category string // menu number
		commune  string // the unregistered caller's answer; "" for a registered caller
		danger   bool
		want     string // commune, support or nobody
		route    care.EscalationRoute
		urgent   bool
	}{
		{"registered, health", phoneHoa, false, "1", "", false, commune, care.RouteCommune, false},
		{"registered, health, in danger", phoneHoa, false, "1", "", true, commune, care.RouteCommune, true},
		{"registered, safety", phoneHoa, true, "5", "", false, commune, care.RouteCommune, true},
		{"registered, call back", phoneHoa, false, "6", "", false, "Can bo xa se goi lai", care.RouteCommune, false},
		{"unregistered, names a staffed commune", phoneStranger, true, "3", "hoa binh", false, commune, care.RouteCommune, false},
		{"unregistered, names a commune by code", phoneStranger, false, "3", "27002", true, commune, care.RouteCommune, true},
		{"unregistered, names a commune without staff", phoneStranger, true, "2", "27003", false, support, care.RouteRoster, false},
		{"unregistered, skips, roster on call", phoneStranger, true, "7", "1", true, support, care.RouteRoster, true},
		{"unregistered, safety, roster on call", phoneStranger, true, "5", "1", false, support, care.RouteRoster, true},
		{"unregistered, skips, nobody on call", phoneStranger, false, "1", "1", true, nobody, care.RouteNobody, false},
		{"unregistered, call back, nobody on call", phoneStranger, false, "6", "1", false, nobody, care.RouteNobody, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			withEmptyCommune(f)
			if tt.roster {
				withRoster(f)
			}
			f.sms(tt.phone, "GIUP")
			f.sms(tt.phone, tt.category)
			if tt.category != "5" { // a safety matter asks for no description by SMS
				f.sms(tt.phone, "1")
			}
			if tt.commune != "" {
				r := smsText(f.sms(tt.phone, tt.commune))
				require.Contains(t, r, "giup gap", "the commune is taken")
			}
			answer := "2"
			if tt.danger {
				answer = "1"
			}
			got := smsText(f.sms(tt.phone, answer))
			require.Contains(t, got, tt.want)
			require.Equal(t, tt.urgent, strings.Contains(got, now), "right away only on the urgent ladder: %q", got)
			// In danger, or with nobody to tell, the caller needs a route now: the emergency
			// numbers, once; and an unrouted request promises nobody's call.
			require.Equal(t, tt.danger || tt.route == care.RouteNobody, strings.Contains(got, sos), "emergency numbers in danger or unrouted: %q", got)
			require.LessOrEqual(t, strings.Count(got, "goi ngay"), 1, "said once: %q", got)
			if tt.route == care.RouteNobody {
				require.NotContains(t, got, "se lien he", got)
				require.NotContains(t, got, "goi lai cho ban", got)
			}
			require.Equal(t, 1, flows.MeasureSMS(got).Segments, got)
			var ladder string
			switch tt.route {
			case care.RouteCommune:
				ladder = "commune"
			case care.RouteRoster:
				ladder = "roster"
			}
			require.Equal(t, ladder, f.route(tt.phone), "the words name the route the ladder takes")
		})
	}
}

// route says whose ladder the escalation of phone's newest help request goes up, as the
// store's ladder stands (the escalation worker reads the same one; the invariant test in
// cmd/caseline follows the SMS to the staff phone).
func (f *fixture) route(phone care.Phone) string {
	f.t.Helper()
	var commune *string
	var caseID *int64
	require.NoError(f.t, f.pool.QueryRow(context.Background(), `
		SELECT e.commune, e.case_id FROM escalation e JOIN help_request h ON h.id = e.help_request_id
		WHERE h.phone = $1 ORDER BY e.id DESC LIMIT 1`, phone).Scan(&commune, &caseID))
	c := care.CommuneCode("")
	if commune != nil {
		c = care.CommuneCode(*commune)
	}
	var id care.CaseID
	if caseID != nil {
		id = care.CaseID(*caseID)
	}
	ctx := context.Background()
	turn, err := f.store.BeginTurn(ctx, dialog.TurnRequest{Channel: care.ChannelSMS, Key: "route-probe", Phone: phone, Now: f.clock.Now()})
	require.NoError(f.t, err)
	defer turn.Rollback(ctx)
	phoneOf, route, err := turn.Reach(ctx, id, c)
	require.NoError(f.t, err)
	if route == care.RouteNobody {
		require.Empty(f.t, phoneOf)
	}
	return string(route)
}

func TestZeroDialsTheLadderAndAMissedDialIsACallBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		phone   care.Phone
		roster  bool
		dial    care.Phone // "" when nobody can be dialled
		status  string
		filed   bool
		heard   string
		session string
	}{
		{"case manager answers", phoneHoa, false, phoneLan, "completed", false, "Cam on ban", "idle"},
		{"case manager busy", phoneHoa, false, phoneLan, "busy", true, "Chua co ai nghe may. Yeu cau goi lai cua ban da duoc nhan. Ma so: %d. Can bo xa se goi lai cho ban.", "idle"},
		{"case manager does not answer", phoneHoa, true, phoneLan, "no-answer", true, "Can bo xa se goi lai", "idle"},
		{"roster does not answer", phoneStranger, true, phoneRoster, "no-answer", true, "Duong day ho tro se goi lai cho ban.", "idle"},
		{"roster call fails", phoneStranger, true, phoneRoster, "failed", true, "Duong day ho tro se goi lai", "idle"},
		{"caller hangs up while it rings", phoneStranger, true, phoneRoster, "canceled", true, "Duong day ho tro se goi lai", "idle"},
		{"nobody to dial", phoneStranger, false, "", "", true, "Yeu cau goi lai cua ban da duoc nhan. Ma so: %d. Hien chua co can bo truc. Neu can giup gap, hay goi ngay 113 (cong an) hoac 111 (bao ve tre em).", "idle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			if tt.roster {
				withRoster(f)
			}
			v := func(in flows.Input) flows.Reply {
				in.Channel, in.Provider, in.Phone = care.ChannelVoice, care.ProviderTwilio, tt.phone
				return f.turn(in)
			}
			v(flows.Input{New: true})
			r := v(flows.Input{Text: "0"})
			require.Equal(t, tt.dial, r.Prompt.Person)
			if tt.dial != "" {
				require.False(t, r.Prompt.End)
				require.Zero(t, f.count(`SELECT count(*) FROM help_request`), "nothing filed while it rings")
				r = v(flows.Input{DialStatus: tt.status})
			}
			require.True(t, r.Prompt.End)
			require.Equal(t, tt.session, f.session(care.ChannelVoice, string(tt.phone)))
			n := f.count(`SELECT count(*) FROM help_request WHERE phone = $1 AND category = 'callback'`, tt.phone)
			if !tt.filed {
				require.Zero(t, n)
				require.Contains(t, flows.StripDiacritics(r.Prompt.Text), tt.heard)
				return
			}
			require.Equal(t, 1, n)
			id := f.count(`SELECT id FROM help_request WHERE phone = $1`, tt.phone)
			heard := tt.heard
			if strings.Contains(heard, "%d") {
				heard = fmt.Sprintf(heard, id)
			}
			require.Contains(t, flows.StripDiacritics(r.Prompt.Text), heard)
			require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE help_request_id = $1 AND NOT urgent`, id),
				"a call-back request goes up the ladder like help")
		})
	}
}

func TestADialOutcomeOfAConversationThatMovedOnIsSilent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneHoa, New: true})
	require.NotEmpty(t, r.Prompt.Text)
	r = f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneHoa, DialStatus: "no-answer"})
	require.True(t, r.Silent)
	require.Zero(t, f.count(`SELECT count(*) FROM help_request`))
}

// TestAHelpRequestBegunIsMarkedPendingUntilFiled follows dialog_session.help_started_at,
// which the workers' sweep for unfinished requests reads.
func TestAHelpRequestBegunIsMarkedPendingUntilFiled(t *testing.T) {
	t.Parallel()
	f := setup(t)
	pending := func(ch care.Channel, key string) bool {
		return f.count(`SELECT count(*) FROM dialog_session WHERE channel = $1 AND key = $2 AND help_started_at IS NOT NULL`, ch, key) == 1
	}
	f.sms(phoneHoa, "GIUP")
	require.False(t, pending(care.ChannelSMS, string(phoneHoa)), "no category yet")
	f.sms(phoneHoa, "1")
	require.True(t, pending(care.ChannelSMS, string(phoneHoa)))
	var began time.Time
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT help_started_at FROM dialog_session WHERE key = $1`, string(phoneHoa)).Scan(&began))
	f.clock.Advance(time.Minute)
	f.sms(phoneHoa, "xe lăn")
	var still time.Time
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT help_started_at FROM dialog_session WHERE key = $1`, string(phoneHoa)).Scan(&still))
	require.True(t, began.Equal(still), "it keeps when the request began")
	f.sms(phoneHoa, "2")
	require.False(t, pending(care.ChannelSMS, string(phoneHoa)), "filed")

	f.sms(phoneHoa, "GIUP")
	f.sms(phoneHoa, "1")
	f.sms(phoneHoa, "MENU")
	require.False(t, pending(care.ChannelSMS, string(phoneHoa)), "left for the menu: not a dropped request")

	// A USSD session dropped mid-help carries its pending request into the session that
	// resumes it.
	u := func(key, text string, isNew bool) {
		f.turn(flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneHoa, SessionKey: key, Text: text, New: isNew})
	}
	u("A", "", true)
	u("A", "3", false)
	u("A", "2", false)
	require.True(t, pending(care.ChannelUSSD, "A"))
	u("B", "", true)
	require.False(t, pending(care.ChannelUSSD, "A"), "the resumed session ends")
	require.True(t, pending(care.ChannelUSSD, "B"), "at the resume offer, the request is still pending")
}

func TestCheckEmergencyNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		numbers []string
		ok      bool
	}{
		{[]string{"113", "111"}, true},
		{[]string{"113"}, true},
		{[]string{"113", "115", "111"}, true}, // by SMS the numbers go bare
		{[]string{"113", "115"}, true},
		{[]string{"112"}, true},
		{nil, false},
		{[]string{"113", "113"}, false},
		{[]string{"11a"}, false},
		{[]string{"1"}, false},
		{[]string{"1234567"}, false},
		{[]string{"113", "114", "115", "111"}, false},
		{[]string{"999999", "888888", "777777"}, true},
	}
	for _, tt := range tests {
		err := flows.CheckEmergencyNumbers(tt.numbers)
		require.Equal(t, tt.ok, err == nil, "%v: %v", tt.numbers, err)
	}
}

func TestTheRosterAcknowledgesWhatHasNoCommuneOrWhatItWasToldOf(t *testing.T) {
	t.Parallel()
	f := setup(t)
	withRoster(f)
	roster := f.ids["roster"]
	none := f.helpEscalation("", false)
	told := f.helpEscalation("27002", true)
	f.exec(`INSERT INTO escalation_notice (escalation_id, level, manager_id, at) VALUES ($1, 0, $2, $3)`, told, roster, testStart)
	other := f.helpEscalation("27001", false)
	require.Equal(t, fmt.Sprintf("Da nhan xu ly yeu cau %d.", none), smsText(f.sms(phoneRoster, fmt.Sprintf("XN %d", none))))
	require.Equal(t, fmt.Sprintf("Da nhan xu ly yeu cau %d.", told), smsText(f.sms(phoneRoster, fmt.Sprintf("XN %d", told))))
	require.Contains(t, smsText(f.sms(phoneRoster, fmt.Sprintf("XN %d", other))), "khong thuoc xa cua ban")
	require.Equal(t, 2, f.count(`SELECT count(*) FROM escalation WHERE status = 'acknowledged' AND acked_by = $1`, roster))
}
