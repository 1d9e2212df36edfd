package flows_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

type androidRouter struct{}

func (androidRouter) Route(care.Phone) care.Provider { return care.ProviderAndroid }

func TestRegisterOpensCaseForLeastBusyManagerAndQueuesTheirSMS(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.engine = flows.NewEngine(flows.Deps{Turns: f.store, Clock: f.clock, Router: androidRouter{}})
	for _, text := range []string{"DK", "1", "  Lê   Văn Cường ", "Hoà Bình", "1,3", "2", "1"} {
		f.sms(phoneStranger, text)
	}
	var (
		id              int64
		name, commune   string
		channel         string
		consent         *time.Time
		step            string
		manager         int64
		registeredBy    *string
		body, key, prov string
		next            time.Time
	)
	ctx := context.Background()
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT id, name, commune, channel, consent_at, registered_by FROM person WHERE phone = $1`, phoneStranger).
		Scan(&id, &name, &commune, &channel, &consent, &registeredBy))
	require.Equal(t, "Lê Văn Cường", name)
	require.Equal(t, "27001", commune)
	require.Equal(t, "voice", channel)
	require.NotNil(t, consent)
	require.Nil(t, registeredBy)
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT step, manager_id FROM care_case WHERE person_id = $1`, id).Scan(&step, &manager))
	require.Equal(t, "assessment", step)
	require.Equal(t, f.ids["lan"], manager, "Lan has fewer open cases than Minh")
	require.NoError(t, f.pool.QueryRow(ctx, `SELECT body, idempotency_key, provider, next_attempt_at FROM message
		WHERE direction = 'out' AND status = 'queued' AND phone = $1`, phoneLan).Scan(&body, &key, &prov, &next))
	require.Equal(t, fmt.Sprintf("register:%d:manager", id), key)
	require.Equal(t, "android", prov)
	require.True(t, next.Equal(testStart), next)
	require.Contains(t, body, "Le Van Cuong")
	require.Contains(t, body, "Kiem song, Hoc, viec lam")
	require.Equal(t, 1, flows.MeasureSMS(body).Segments)
	require.Equal(t, 1, f.count(`SELECT count(*) FROM audit_log WHERE entity = 'person' AND entity_id = $1 AND detail->'needs' ? 'education'`, id))
}

func TestRegisterOnBehalfAndByVoice(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, text := range []string{"DK", "2", "0987 000 002", "3", "Lê Thị Dung", "27002", "2", "1", "1"} {
		f.sms(phoneHoa, text)
	}
	var by string
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT registered_by FROM person WHERE phone = '+84987000002'`).Scan(&by))
	require.Equal(t, string(phoneHoa), by)
	var rel string
	require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT registered_relation FROM person WHERE phone = '+84987000002'`).Scan(&rel))
	require.Equal(t, string(care.RelationChild), rel)
	var told string
	require.NoError(t, f.pool.QueryRow(context.Background(),
		`SELECT body FROM message WHERE phone = '+84987000002' AND direction = 'out' AND status = 'queued'`).Scan(&told))
	require.Equal(t, "Caseline: Con cua ban da dang ky cho ban nhan ho tro cua xa. Neu ban khong muon, gui NGUNG NHAN TIN.", told,
		"the person registered is told by whom (never the number) and how to decline")
	require.NotContains(t, told, string(phoneHoa))
	require.Empty(t, flows.Indiscreet(told))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM care_case c JOIN person p ON p.id = c.person_id WHERE p.phone = '+84987000002' AND c.manager_id = $1`, f.ids["tam"]))

	voice := func(text string, isNew bool) flows.Reply {
		return f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneStranger, Text: text, New: isNew})
	}
	voice("", true)
	voice("1", false)
	voice("1", false)
	r := voice("27001", false)
	require.True(t, r.Prompt.End)
	require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND name = 'Chưa rõ tên' AND channel = 'voice'`, phoneStranger))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM message WHERE phone = $1 AND status = 'queued' AND body LIKE '%goi lai%'`, phoneLan))
}

func TestRegisteredCallerChoosingMyselfIsToldTheirReference(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.sms(phoneHoa, "DK")
	r := f.sms(phoneHoa, "1")
	require.Equal(t, fmt.Sprintf("So nay da dang ky roi. Ma so: %d.", f.ids["hoa"]), smsText(r))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1`, phoneHoa))
}

func TestHelpOpensEscalation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		phone    care.Phone
		category string
		danger   string
		urgent   bool
		sla      time.Duration
	}{
		{"registered, health, safe", phoneHoa, "1", "2", false, 24 * time.Hour},
		{"registered, health, in danger", phoneHoa, "1", "1", true, 15 * time.Minute},
		{"registered, abuse, safe", phoneHoa, "5", "2", true, 15 * time.Minute},
		{"unregistered, other", phoneStranger, "7", "2", false, 24 * time.Hour},
		{"unregistered, abuse", phoneStranger, "5", "2", true, 15 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.sms(tt.phone, "giúp")
			f.sms(tt.phone, tt.category)
			if tt.category != "5" { // a safety matter asks for no description by SMS
				f.sms(tt.phone, "  mô tả   ngắn ")
			}
			if tt.phone == phoneStranger {
				f.sms(tt.phone, "1") // no commune given
			}
			r := f.sms(tt.phone, tt.danger)
			now := f.clock.Now()
			var (
				helpID                 int64
				person                 *int64
				desc                   string
				urgent, notified       bool
				level                  int
				status, reason         string
				next                   time.Time
				escCommune, escCaseNil *string
			)
			ctx := context.Background()
			require.NoError(t, f.pool.QueryRow(ctx, `SELECT id, person_id, description FROM help_request WHERE phone = $1`, tt.phone).Scan(&helpID, &person, &desc))
			if tt.category == "5" {
				require.Empty(t, desc)
			} else {
				require.Equal(t, "mô tả ngắn", desc)
			}
			require.Equal(t, tt.phone != phoneStranger, person != nil)
			require.Contains(t, smsText(r), fmt.Sprintf("Ma so: %d.", helpID))
			require.NoError(t, f.pool.QueryRow(ctx, `SELECT urgent, notified, level, status, reason, next_level_at, commune, case_id::text
				FROM escalation WHERE help_request_id = $1`, helpID).Scan(&urgent, &notified, &level, &status, &reason, &next, &escCommune, &escCaseNil))
			require.Equal(t, tt.urgent, urgent)
			require.False(t, notified)
			require.Zero(t, level)
			require.Equal(t, "open", status)
			require.Equal(t, "help_request", reason)
			require.True(t, next.Equal(now.Add(tt.sla)), "next level at %s", next)
			require.Equal(t, tt.phone != phoneStranger, escCommune != nil)
		})
	}
}

func TestAbuseReportConfirmationIsNeutral(t *testing.T) {
	t.Parallel()
	for _, lang := range []care.Language{care.Vietnamese, care.English} {
		t.Run(string(lang), func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			speak(f, phoneHoa, lang)
			f.sms(phoneHoa, "SOS")
			asked := f.sms(phoneHoa, "5")
			require.Equal(t, "help/danger", f.session(care.ChannelSMS, string(phoneHoa)), "by SMS a safety matter asks for no description")
			require.Empty(t, flows.Indiscreet(smsText(asked)))
			r := f.sms(phoneHoa, "2")
			var id int64
			require.NoError(t, f.pool.QueryRow(context.Background(), `SELECT id FROM help_request WHERE phone = $1`, phoneHoa).Scan(&id))
			want := map[care.Language]string{
				care.Vietnamese: fmt.Sprintf("Yêu cầu của bạn đã được nhận. Mã số: %d. Cán bộ xã sẽ liên hệ với bạn ngay.", id),
				care.English:    fmt.Sprintf("We received your request. Reference number: %d. The commune social worker will contact you right away.", id),
			}[lang]
			require.Equal(t, want, r.Prompt.Text)
			f.clock.Advance(time.Minute)
			since := f.clock.Now()
			f.sms(phoneHoa, "TT")
			f.sms(phoneHoa, "menu")
			f.sms(phoneHoa, "2")
			rows, err := f.pool.Query(context.Background(), `SELECT body FROM message WHERE phone = $1 AND direction = 'out' AND created_at >= $2`, phoneHoa, since)
			require.NoError(t, err)
			defer rows.Close()
			n := 0
			for rows.Next() {
				var body string
				require.NoError(t, rows.Scan(&body))
				n++
				require.Empty(t, flows.Indiscreet(body), "a later message names the report's subject: %q", body)
			}
			require.NoError(t, rows.Err())
			require.Equal(t, 3, n)
		})
	}
}

func TestSameProviderIDTwiceIsOneStep(t *testing.T) {
	t.Parallel()
	f := setup(t)
	in := flows.Input{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: phoneStranger, Text: "GIUP", ProviderID: "SM123"}
	first := f.turn(in)
	second := f.turn(in)
	require.False(t, first.Duplicate)
	require.True(t, second.Duplicate)
	second.Duplicate = false
	require.Equal(t, first, second)
	require.Equal(t, 1, f.count(`SELECT count(*) FROM message WHERE provider_id = 'SM123'`))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM message WHERE direction = 'out' AND phone = $1`, phoneStranger))
	require.Equal(t, 1, f.count(`SELECT version FROM dialog_session WHERE channel = 'sms' AND key = $1`, string(phoneStranger)))
	// The same id on USSD (sessionId and hop) too.
	u := flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneStranger, SessionKey: "AT1", New: true, ProviderID: "AT1:0"}
	a, b := f.turn(u), f.turn(u)
	require.True(t, b.Duplicate)
	require.Equal(t, a.Prompt, b.Prompt)
	require.Equal(t, 1, f.count(`SELECT version FROM dialog_session WHERE key = 'AT1'`))
}

func TestTwentyConcurrentTurnsForOnePhoneLoseNoStep(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const n = 20
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		steps []int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.engine.Handle(context.Background(), flows.Input{Channel: care.ChannelSMS, Provider: care.ProviderTwilio,
				Phone: phoneHoa, Text: fmt.Sprintf("xin chào %d", i), ProviderID: fmt.Sprintf("C%d", i)})
			if !assertNoError(t, err) {
				return
			}
			mu.Lock()
			steps = append(steps, r.Step)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Ints(steps)
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, steps, "every turn saw the one before it")
	require.Equal(t, n, f.count(`SELECT version FROM dialog_session WHERE channel = 'sms' AND key = $1`, string(phoneHoa)))
	require.Equal(t, n, f.count(`SELECT count(*) FROM message WHERE direction = 'in' AND phone = $1`, phoneHoa))
	require.Equal(t, n, f.count(`SELECT count(*) FROM message WHERE direction = 'out' AND phone = $1`, phoneHoa))
}

func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}

func TestLoopProtectionSilencesTheSixthIdenticalMessageInAnHour(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for i := 1; i <= 7; i++ {
		r := f.sms(phoneStranger, "xin chao")
		require.Equal(t, i > flows.LoopLimit, r.Silent, "message %d", i)
		f.clock.Advance(time.Minute)
	}
	require.Equal(t, 7, f.count(`SELECT count(*) FROM message WHERE direction = 'in' AND phone = $1`, phoneStranger))
	require.Equal(t, 2, f.count(`SELECT count(*) FROM message WHERE direction = 'out' AND status = 'skipped' AND phone = $1`, phoneStranger))
	require.False(t, f.sms(phoneStranger, "khac").Silent, "a different message is answered")
	f.clock.Advance(time.Hour)
	require.False(t, f.sms(phoneStranger, "xin chao").Silent, "an hour later it is answered again")
}

func TestCheckInAnswers(t *testing.T) {
	t.Parallel()
	t.Run("fine", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		id := f.checkIn(f.ids["hoa"], f.ids["hoa_case"])
		r := f.sms(phoneHoa, "1")
		require.True(t, r.Prompt.End)
		require.Equal(t, 1, f.count(`SELECT count(*) FROM checkin WHERE id = $1 AND status = 'fine' AND answered_at IS NOT NULL`, id))
		require.Zero(t, f.count(`SELECT count(*) FROM escalation`))
	})
	t.Run("need help goes on into get help with one escalation", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		id := f.checkIn(f.ids["hoa"], f.ids["hoa_case"])
		f.sms(phoneHoa, "2")
		require.Equal(t, "help/category", f.session(care.ChannelSMS, string(phoneHoa)))
		require.Equal(t, 1, f.count(`SELECT count(*) FROM checkin WHERE id = $1 AND status = 'need_help'`, id))
		require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE checkin_id = $1 AND reason = 'need_help' AND NOT urgent AND commune = '27001'`, id))
		f.sms(phoneHoa, "1")
		f.sms(phoneHoa, "1")
		f.sms(phoneHoa, "1")
		require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation`))
		require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation e JOIN help_request h ON h.id = e.help_request_id
			WHERE e.checkin_id = $1 AND e.urgent AND h.in_danger`, id))
	})
	t.Run("an outbound call answers its own check-in", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		id := f.checkIn(f.ids["hoa"], f.ids["hoa_case"])
		f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneHoa, New: true, Outbound: fmt.Sprintf("checkin:%d", id)})
		f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneHoa, Text: "1"})
		require.Equal(t, 1, f.count(`SELECT count(*) FROM checkin WHERE id = $1 AND status = 'fine'`, id))
	})
}

func TestReminderAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		answer     string
		escalation int
	}{{"1", 0}, {"2", 1}} {
		t.Run(tt.answer, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			id := f.reminder()
			f.sms(phoneHoa, tt.answer)
			require.Equal(t, 1, f.count(`SELECT count(*) FROM reminder WHERE id = $1 AND answer = $2`, id, tt.answer))
			require.Equal(t, tt.escalation, f.count(`SELECT count(*) FROM escalation WHERE reason = 'cannot_come' AND appointment_id = $1 AND person_id = $2`,
				f.ids["appt"], f.ids["hoa"]))
		})
	}
}

func TestAcknowledgeEscalation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	withEscalations(f)
	r := f.sms(phoneLan, fmt.Sprintf("xn %d", f.ids["esc"]))
	require.Contains(t, smsText(r), "Da nhan xu ly")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE id = $1 AND status = 'acknowledged' AND acked_by = $2`, f.ids["esc"], f.ids["lan"]))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM audit_log WHERE action = 'escalation.acknowledge' AND entity = 'escalation'
		AND entity_id = $1 AND actor_id = $2 AND detail = '{"level": 0}'`, f.ids["esc"], f.ids["lan"]),
		"an acknowledgement by SMS is audited as one through the API is")
	f.sms(phoneLan, fmt.Sprintf("xn %d", f.ids["esc"]))
	require.Equal(t, 1, f.count(`SELECT count(*) FROM audit_log WHERE action = 'escalation.acknowledge' AND entity_id = $1`, f.ids["esc"]),
		"acknowledging it again changes nothing and records nothing")
	// Tâm (another commune) may acknowledge only what they were told of.
	other := f.helpEscalation("27001", false)
	r = f.sms(phoneTam, fmt.Sprintf("ACK %d", other))
	require.Contains(t, smsText(r), "not in your commune")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE id = $1 AND status = 'open'`, other))
	f.exec(`INSERT INTO escalation_notice (escalation_id, level, manager_id, at) VALUES ($1, 1, $2, $3)`, other, f.ids["tam"], testStart)
	r = f.sms(phoneTam, fmt.Sprintf("ACK%d", other))
	require.Contains(t, smsText(r), "You acknowledged")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE id = $1 AND acked_by = $2`, other, f.ids["tam"]))
}

func TestLanguageChoiceCarriesToNewSessions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.sms(phoneHoa, "EN")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM person WHERE phone = $1 AND language = 'en'`, phoneHoa))
	r := f.turn(flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneHoa, SessionKey: "X", New: true})
	require.Equal(t, care.English, r.Prompt.Language)
	// An unregistered caller's choice carries over too.
	f.sms(phoneStranger, "en")
	r = f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneStranger, New: true})
	require.Equal(t, care.English, r.Prompt.Language)
}

func TestStaleSMSConversationRestartsAtTheMenu(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.sms(phoneStranger, "DK")
	f.clock.Advance(2 * time.Hour)
	f.sms(phoneStranger, "2")
	require.Equal(t, "menu/menu", f.session(care.ChannelSMS, string(phoneStranger)))
}

func TestUSSDScreensFitANarrowLimit(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.engine = flows.NewEngine(flows.Deps{Turns: f.store, Clock: f.clock, ScreenLimit: 60})
	in := flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneHoa, SessionKey: "N", New: true}
	seen := 0
	for _, text := range []string{"", "9", "9", "0", "9", "9", "3", "9", "9"} {
		in.Text = text
		r := f.turn(in)
		in.New = false
		screen := flows.USSDText(r.Prompt)
		require.LessOrEqual(t, len([]rune(screen)), 60, screen)
		for _, o := range r.Prompt.Options {
			if o.Key == "3" {
				seen++
			}
		}
	}
	require.NotZero(t, seen, "the menu's options appear on a later page")
	require.Equal(t, "help/category", f.session(care.ChannelUSSD, "N"))
}

func TestBadInputIsADomainError(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, in := range []flows.Input{
		{Channel: "fax", Provider: care.ProviderTwilio, Phone: phoneHoa},
		{Channel: care.ChannelSMS, Provider: "pigeon", Phone: phoneHoa},
		{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: "0901234567"},
		{Channel: care.ChannelSMS, Provider: care.ProviderTwilio},
	} {
		_, err := f.engine.Handle(context.Background(), in)
		require.Equal(t, care.EINVALID, care.ErrorCode(err), "%+v", in)
	}
	require.Zero(t, f.count(`SELECT count(*) FROM message`))
}

func TestCheckInSentDuringAConversationTakesTheNextBareAnswer(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.sms(phoneHoa, "menu")
	f.clock.Advance(5 * time.Minute)
	id := f.checkIn(f.ids["hoa"], f.ids["hoa_case"])
	f.exec(`UPDATE checkin SET due_at = $2 WHERE id = $1`, id, f.clock.Now().Add(-time.Minute))
	r := f.sms(phoneHoa, "1")
	require.Contains(t, smsText(r), "Cam on ban da tra loi")
	require.Equal(t, 1, f.count(`SELECT count(*) FROM checkin WHERE id = $1 AND status = 'fine'`, id))
	// Without a newer question, 1 at the menu is the menu's 1.
	f.sms(phoneHoa, "menu")
	f.sms(phoneHoa, "1")
	require.Equal(t, "register/who", f.session(care.ChannelSMS, string(phoneHoa)))
}

func TestResumeOffersADroppedUSSDSessionOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	u := func(key, text string, isNew bool) flows.Reply {
		return f.turn(flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneStranger,
			SessionKey: key, Text: text, New: isNew})
	}
	u("A", "", true)
	u("A", "1", false)
	u("A", "1", false) // register/name: the session drops here
	r := u("B", "", true)
	require.Equal(t, []flows.Option{{Key: "1", Label: "Làm tiếp"}, {Key: "2", Label: "Quay về đầu"}}, r.Prompt.Options)
	require.Equal(t, "idle", f.session(care.ChannelUSSD, "A"), "the dropped session is not offered again")
	r = u("B", "1", false)
	require.Equal(t, "register/name", f.session(care.ChannelUSSD, "B"))
	require.Equal(t, flows.ExpectText, r.Prompt.Expect)
	r = u("C", "", true)
	require.Equal(t, "resume/offer", f.session(care.ChannelUSSD, "C"), "B dropped mid-flow too")
	f.clock.Advance(time.Hour)
	u("D", "", true)
	require.Equal(t, "menu/menu", f.session(care.ChannelUSSD, "D"), "an hour later the menu starts afresh")
}

func TestVoiceKeys(t *testing.T) {
	t.Parallel()
	f := setup(t)
	v := func(text string, isNew, noInput bool) flows.Reply {
		return f.turn(flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneHoa, Text: text, New: isNew, NoInput: noInput})
	}
	first := v("", true, false)
	require.False(t, first.Slow)
	require.Equal(t, []string{"*", "0", "9"}, keysOf(first.Keys), "the first menu of a call says the keys")
	again := v("*", false, false)
	require.Equal(t, first.Prompt, again.Prompt)
	require.Equal(t, first.Keys, again.Keys, "asked to hear it again, the keys too")
	slower := v("9", false, false)
	require.True(t, slower.Slow)
	require.Empty(t, slower.Keys, "said once per call, not after every menu")
	r := v("3", false, false)
	require.True(t, r.Slow, "slower is remembered")
	require.Empty(t, r.Keys)
	for range 2 {
		r := v("", false, true)
		require.True(t, strings.HasPrefix(r.Prompt.Text, "Xin lỗi, chúng tôi chưa nghe thấy bạn bấm phím."), r.Prompt.Text)
		require.Equal(t, "help/category", f.session(care.ChannelVoice, string(phoneHoa)))
		require.Empty(t, r.Keys)
	}
	r = v("", false, true)
	require.Equal(t, "person/offer", f.session(care.ChannelVoice, string(phoneHoa)))
	require.Len(t, r.Prompt.Options, 2)
	r = v("2", false, false)
	require.Equal(t, "help/category", f.session(care.ChannelVoice, string(phoneHoa)), "back where the caller was")
	require.LessOrEqual(t, len(r.Prompt.Options), 5)
	r = v("0", false, false)
	require.Equal(t, phoneLan, r.Prompt.Person)
	require.False(t, r.Prompt.End, "the call waits on the dial's outcome")
	require.Equal(t, "person/connecting", f.session(care.ChannelVoice, string(phoneHoa)))
	// The next call hears them again.
	require.Equal(t, []string{"*", "0", "9"}, keysOf(v("", true, false).Keys))
	// A switch of language says them again, in the new one.
	r = v("4", false, false)
	require.Equal(t, care.English, r.Prompt.Language)
	require.Equal(t, []string{"*", "0", "9"}, keysOf(r.Keys))
	require.Equal(t, "to speak to a person", r.Keys[1].Label)
}

func keysOf(opts []flows.Option) []string {
	var out []string
	for _, o := range opts {
		out = append(out, o.Key)
	}
	return out
}

// TestPriorityOfChildrenAndWomen: a child's help request (under 16 by year of birth and the
// clock, the doubt going to the child) and a woman's about her safety go up the urgent
// ladder; a woman's other requests and an adult man's do not; a caregiver answering "needs
// help" for a child files an urgent one too.
func TestPriorityOfChildrenAndWomen(t *testing.T) {
	t.Parallel()
	year := testStart.Year()
	tests := []struct {
		name      string
		sex       string
		born      int // 0: not recorded
		category  string
		caregiver bool
		urgent    bool
	}{
		{"girl, health", "female", year - 10, "1", false, true},
		{"boy, money", "male", year - 15, "3", false, true},
		{"turns 16 this year", "male", year - 16, "1", false, true},
		{"turned 17 this year", "male", year - 17, "1", false, false},
		{"woman, health", "female", year - 40, "1", false, false},
		{"woman, safety", "female", year - 40, "5", false, true},
		{"man, health", "male", year - 40, "1", false, false},
		{"nothing recorded, health", "", 0, "1", false, false},
		{"caregiver for a child", "male", year - 8, "", true, true},
		{"caregiver for an adult", "male", year - 50, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.exec(`UPDATE person SET sex = NULLIF($2, ''), birth_year = NULLIF($3::int, 0) WHERE id = $1`, f.ids["hoa"], tt.sex, tt.born)
			caller := phoneHoa
			if tt.caregiver {
				withCaregiverCheckIn(f)
				caller = phoneStranger
				f.sms(caller, "2")
			} else {
				f.sms(caller, "giúp")
				f.sms(caller, tt.category)
				if tt.category != "5" {
					f.sms(caller, "1") // skip the description
				}
				f.sms(caller, "2") // not in danger
			}
			var urgent bool
			var next time.Time
			var person int64
			require.NoError(t, f.pool.QueryRow(context.Background(), `
				SELECT e.urgent, e.next_level_at, h.person_id FROM escalation e JOIN help_request h ON h.id = e.help_request_id`).
				Scan(&urgent, &next, &person))
			require.Equal(t, f.ids["hoa"], person)
			require.Equal(t, tt.urgent, urgent)
			want := 24 * time.Hour
			if tt.urgent {
				want = 15 * time.Minute
			}
			require.Equal(t, f.clock.Now().Add(want), next.UTC())
		})
	}
}

// TestRegisterWhereNoStaffCanTakeTheCase registers in a commune whose only staff member is
// inactive: the registration stands, an "unassigned" escalation goes to whoever the ladder
// has (the on-call roster, or nobody yet), and the reply says so without promising the
// commune's officer.
func TestRegisterWhereNoStaffCanTakeTheCase(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		roster bool
		want   string
	}{
		{"roster on call", true, "Xa cua ban chua co can bo phu trach. Duong day ho tro se lien he voi ban."},
		{"nobody on call", false, "Xa cua ban chua co can bo phu trach. Hien chua co can bo truc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			withEmptyCommune(f)
			f.exec(`INSERT INTO case_manager (name, phone, commune, role, active) VALUES ('Nghỉ', '+84901000077', '27003', 'case_manager', false)`)
			if tt.roster {
				withRoster(f)
			}
			var r flows.Reply
			for _, text := range []string{"DK", "1", "Lê Văn Cường", "27003", "1", "1", "1"} {
				r = f.sms(phoneStranger, text)
			}
			got := smsText(r)
			require.True(t, strings.HasPrefix(got, "Dang ky xong. Ma so: "), got)
			require.Contains(t, got, tt.want)
			require.NotContains(t, got, "Can bo xa se lien he", "no promise of an officer who does not exist")
			require.Equal(t, 1, flows.MeasureSMS(got).Segments, got)
			person := f.id(`SELECT id FROM person WHERE phone = $1`, phoneStranger)
			require.Equal(t, 1, f.count(`SELECT count(*) FROM escalation WHERE reason = 'unassigned' AND person_id = $1
				AND commune = '27003' AND status = 'open' AND NOT urgent`, person), "someone is told to open the case")
			require.Zero(t, f.count(`SELECT count(*) FROM message WHERE direction = 'out' AND phone = '+84901000077'`))
		})
	}
}
