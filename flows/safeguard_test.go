package flows_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// TestCancelInEveryStateGoesBackToTheMenu puts a registered person's SMS conversation in
// every state that waits for input, sends a cancel word, then MENU: both answer the main
// menu, and the person is still active — HUY is never an opt-out.
func TestCancelInEveryStateGoesBackToTheMenu(t *testing.T) {
	t.Parallel()
	states := flows.SMSInputStates()
	require.Greater(t, len(states), 10)
	for _, word := range []string{"HUY", "Hủy", "huỷ", "DUNG", "Dừng", "thôi", "CANCEL", "End", "quit"} {
		t.Run(word, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			for _, fs := range states {
				where := fs[0] + "/" + fs[1]
				f.sms(phoneHoa, "MENU")
				f.exec(`UPDATE dialog_session SET flow = $2, state = $3 WHERE channel = 'sms' AND key = $1`, string(phoneHoa), fs[0], fs[1])
				r := f.sms(phoneHoa, word)
				require.False(t, r.Silent, where)
				require.Equal(t, "menu/menu", f.session(care.ChannelSMS, string(phoneHoa)), where)
				want := "Da huy. Caseline" // what was under way is dropped, and they are told
				if where == "menu/menu" {
					want = "Caseline"
				}
				require.True(t, strings.HasPrefix(smsText(r), want), "%s: %q", where, smsText(r))
				r = f.sms(phoneHoa, "MENU")
				require.True(t, strings.HasPrefix(smsText(r), "Caseline"), "%s: %q", where, smsText(r))
				require.Equal(t, "menu/menu", f.session(care.ChannelSMS, string(phoneHoa)), where)
				require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'active'`, phoneHoa), where)
				f.clock.Advance(time.Hour + time.Minute) // past loop protection: the same texts again and again
			}
			require.Zero(t, f.count(`SELECT count(*) FROM escalation`), "nobody was told of an opt-out that did not happen")
		})
	}
}

func TestCancelAtTheTopLevelShowsTheMenu(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.sms(phoneHoa, "Hủy")
	require.True(t, strings.HasPrefix(smsText(r), "Caseline - ho tro nguoi khuyet tat:"), smsText(r))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'active'`, phoneHoa))
}

func TestOptingOutNeedsTheConfirmation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	status := func() string {
		var s string
		require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT status FROM person WHERE phone = $1`, phoneHoa).Scan(&s))
		return s
	}
	r := f.sms(phoneHoa, "ngừng nhận tin")
	require.Equal(t, "optout/ask", f.session(care.ChannelSMS, string(phoneHoa)))
	require.Len(t, r.Prompt.Options, 2)
	require.Equal(t, "active", status(), "asking is not opting out")
	f.sms(phoneHoa, "2")
	require.Equal(t, "active", status(), "2 keeps the messages")
	f.sms(phoneHoa, "NGUNG NHAN TIN")
	f.sms(phoneHoa, "hello")
	require.Equal(t, "active", status(), "anything but 1 asks again")
	f.sms(phoneHoa, "HUY")
	require.Equal(t, "active", status(), "cancel leaves it")
	require.Zero(t, f.count(`SELECT count(*) FROM escalation`))

	f.sms(phoneHoa, "Stop messages")
	r = f.sms(phoneHoa, "1")
	require.Equal(t, "opted_out", status())
	require.Contains(t, smsText(r), "van co the gui GIUP", "help still works, and they are told")
	now := f.clock.Now()
	var (
		reason, commune string
		person, caseID  int64
		urgent          bool
		next            time.Time
	)
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT reason, person_id, case_id, commune, urgent, next_level_at FROM escalation`).
		Scan(&reason, &person, &caseID, &commune, &urgent, &next))
	require.Equal(t, "opted_out", reason)
	require.Equal(t, f.ids["hoa"], person)
	require.Equal(t, f.ids["hoa_case"], caseID)
	require.Equal(t, "27001", commune)
	require.False(t, urgent)
	require.True(t, next.Equal(now.Add(care.DefaultSLA.Normal)), "the normal SLA: %s", next)

	require.True(t, f.sms(phoneHoa, "NGUNG NHAN TIN").Silent, "opted out already")
	require.True(t, f.sms(phoneHoa, "STOP").Silent)
	require.False(t, f.sms(phoneHoa, "giup").Silent, "a request for help is answered even so")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE reason = 'opted_out'`))
	f.sms(phoneHoa, "BAT DAU")
	require.Equal(t, "active", status())
}

func TestStopIsImmediate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// A person with no open case: nobody to tell.
	f.exec(`INSERT INTO person (phone, name, commune) VALUES ('+84912000077', 'Phạm Văn Tư', '27001')`)
	for _, phone := range []care.Phone{phoneHoa, "+84912000077"} {
		r := f.sms(phone, "STOP")
		require.Equal(t, "idle", f.session(care.ChannelSMS, string(phone)))
		require.True(t, r.Prompt.End)
		require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'opted_out'`, phone))
		require.True(t, f.sms(phone, "hello").Silent, "stray text after STOP gets no answer")
		require.True(t, f.sms(phone, "1").Silent)
	}
	require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE reason = 'opted_out' AND person_id = $1`, f.ids["hoa"]))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation`), "only the person with an open case is reported")
	f.sms(phoneHoa, "start")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'active'`, phoneHoa))
}

func TestPlanByVoiceCanBeHeardAgainOrLeft(t *testing.T) {
	t.Parallel()
	f := setup(t)
	v := func(text string, isNew bool) flows.Reply {
		return f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneHoa, Text: text, New: isNew})
	}
	v("", true)
	plan := v("2", false)
	require.False(t, plan.Prompt.End, "the call does not just hang up")
	require.Contains(t, plan.Prompt.Text, "Bước 3 trên 5: đang hỗ trợ theo kế hoạch.")
	require.Equal(t, []flows.Option{{Key: "1", Label: "Nghe lại"}, {Key: "2", Label: "Quay về đầu"}}, plan.Prompt.Options)
	again := v("1", false)
	require.Equal(t, plan.Prompt, again.Prompt)
	back := v("2", false)
	require.Equal(t, "menu/menu", f.session(care.ChannelVoice, string(phoneHoa)))
	require.True(t, strings.HasPrefix(back.Prompt.Text, "Tổng đài hỗ trợ"), back.Prompt.Text) // the menu, as a call says it
	// Hanging up at the read-out leaves nothing to resume on the next call.
	v("2", false)
	r := v("", true)
	require.Equal(t, "menu/menu", f.session(care.ChannelVoice, string(phoneHoa)), r.Prompt.Text)
}

// TestAbuseTranscriptsAreDiscreet reads the golden transcripts of the abuse path by SMS:
// no reply in them, in either language, says anything Indiscreet finds.
func TestAbuseTranscriptsAreDiscreet(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"vi", "en"} {
		b, err := os.ReadFile(filepath.Join("testdata", fmt.Sprintf("help_abuse_sms_%s.txt", lang)))
		require.NoError(t, err)
		text := string(b)
		require.Contains(t, text, "= help/danger", "the transcript goes through the abuse path")
		require.NotContains(t, text, "= help/describe", "by SMS the abuse path asks for no description")
		replies := 0
		for _, l := range strings.Split(text, "\n") {
			if reply, ok := strings.CutPrefix(l, "< "); ok {
				replies++
				require.Empty(t, flows.Indiscreet(reply), "%s: %q", lang, reply)
			}
		}
		require.Greater(t, replies, 5)
	}
}

// TestCancelTypedOnUSSD puts a USSD session in every state that waits for input and types a
// cancel word on the keypad: the main menu comes back (CON), nothing is filed, nobody is
// opted out.
func TestCancelTypedOnUSSD(t *testing.T) {
	t.Parallel()
	states := flows.InputStates(care.ChannelUSSD)
	require.Greater(t, len(states), 10)
	f := setup(t)
	for i, word := range []string{"HUY", "huỷ", "CANCEL", "quit", "End", "THOI"} {
		for j, fs := range states {
			where := word + " at " + fs[0] + "/" + fs[1]
			key := fmt.Sprintf("ATUid_cancel_%d_%d", i, j)
			ussd := func(text string, isNew bool) flows.Reply {
				return f.turn(flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneHoa,
					SessionKey: key, Text: text, New: isNew})
			}
			ussd("", true)
			f.exec(`UPDATE dialog_session SET flow = $2, state = $3 WHERE channel = 'ussd' AND key = $1`, key, fs[0], fs[1])
			r := ussd(word, false)
			require.False(t, r.Prompt.End, where)
			require.Equal(t, "menu/menu", f.session(care.ChannelUSSD, key), where)
			if fs[0] != "menu" {
				require.True(t, strings.HasPrefix(r.Prompt.Text, "Đã hủy."), "%s: %q", where, r.Prompt.Text)
			}
		}
	}
	require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'active'`, phoneHoa))
	require.Zero(t, f.count(`SELECT count(*) FROM escalation`))
	require.Zero(t, f.count(`SELECT count(*) FROM help_request`))
}

// TestLeaveWordsOnlyStopBetweenConversations: CANCEL, END and QUIT typed in a conversation go
// back to the menu; sent when no conversation is under way they are the carriers' STOP.
func TestLeaveWordsOnlyStopBetweenConversations(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, word := range []string{"CANCEL", "end", "Quit"} {
		f.sms(phoneHoa, "GIUP")
		r := f.sms(phoneHoa, word)
		require.True(t, strings.HasPrefix(smsText(r), "Da huy. Caseline"), "%s: %q", word, smsText(r))
		require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'active'`, phoneHoa), word)
		f.sms(phoneHoa, "1") // a menu choice: the conversation goes on
		f.clock.Advance(time.Minute)
	}
	f.clock.Advance(2 * flows.DefaultSessionTTL) // the conversation has lapsed
	f.sms(phoneHoa, "CANCEL")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'opted_out'`, phoneHoa))
}

// TestOptedOutPersonIsAnsweredInAConversationTheyStart: after STOP, a conversation the
// person starts (MENU, GIUP, DK, a USSD dial, a call) is answered to its end; stray text is
// not, and nothing opts them back in.
func TestOptedOutPersonIsAnsweredInAConversationTheyStart(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.sms(phoneHoa, "STOP")
	optedOut := func() bool {
		return f.count(`SELECT count(*) FROM person WHERE phone = $1 AND status = 'opted_out'`, phoneHoa) == 1
	}
	require.True(t, optedOut())
	r := f.sms(phoneHoa, "MENU")
	require.True(t, strings.HasPrefix(smsText(r), "Caseline"), smsText(r))
	r = f.sms(phoneHoa, "2") // my plan
	require.False(t, r.Silent, "a menu answer in their own conversation is answered")
	require.Contains(t, smsText(r), "Xe lan")
	f.clock.Advance(time.Minute)
	r = f.sms(phoneHoa, "GIUP")
	require.False(t, r.Silent)
	r = f.sms(phoneHoa, "1")
	require.False(t, r.Silent, "the help flow goes on")
	r = f.sms(phoneHoa, "HUY")
	require.True(t, strings.HasPrefix(smsText(r), "Da huy. Caseline"), smsText(r))
	require.True(t, optedOut(), "a conversation is not an opt-in")

	u := f.turn(flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneHoa, SessionKey: "ATUid_oo", New: true})
	require.False(t, u.Silent)
	require.NotEmpty(t, u.Prompt.Options, "a USSD dial gets the menu")
	v := f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneHoa, SessionKey: "CAoo", New: true})
	require.False(t, v.Silent)
	require.NotEmpty(t, v.Prompt.Options, "a call gets the menu")
	require.True(t, optedOut())
}

// TestFreeTextIsNeverCorrected types words one typo from a keyword where a name, a commune or
// a description is awaited: each is taken as written (the flow goes on), never "corrected"
// into the keyword; at a menu the same typo is forgiven.
func TestFreeTextIsNeverCorrected(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, st := range [][2]string{{"register", "name"}, {"register", "commune"}, {"register", "needs"}, {"help", "describe"}, {"help", "commune"}} {
		for _, typo := range []string{"GUIP", "Giap", "Mneu", "STRAT", "HEPL", "STPO", "ngung nhan tim"} {
			where := typo + " at " + st[0] + "/" + st[1]
			f.sms(phoneStranger, "MENU")
			f.exec(`UPDATE dialog_session SET flow = $2, state = $3 WHERE channel = 'sms' AND key = $1`, string(phoneStranger), st[0], st[1])
			f.sms(phoneStranger, typo)
			got := f.session(care.ChannelSMS, string(phoneStranger))
			require.True(t, strings.HasPrefix(got, st[0]+"/"), "%s: the flow goes on, got %s", where, got)
			require.NotEqual(t, "help/category", got, where)
			f.clock.Advance(time.Minute)
		}
	}
	require.Zero(t, f.count(`SELECT count(*) FROM person WHERE status = 'opted_out'`))
	f.sms(phoneStranger, "MENU")
	f.sms(phoneStranger, "GUIP")
	require.Equal(t, "help/category", f.session(care.ChannelSMS, string(phoneStranger)), "at a menu the typo is forgiven")
}
