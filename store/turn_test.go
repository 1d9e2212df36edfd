package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/care/dialog"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

var turnNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func setupTurn(t *testing.T) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	pool := storetest.NewPool(t)
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO commune (code, name) VALUES ('27001', 'Hòa Bình'), ('27002', 'Xã Tân An'), ('27003', 'Trống')`,
		`INSERT INTO case_manager (name, phone, commune, role) VALUES ('Lan', '+84901000001', '27001', 'case_manager')`,
		`INSERT INTO case_manager (name, phone, commune, role, language) VALUES ('Tâm', '+84901000003', '27002', 'case_manager', 'en')`,
		`INSERT INTO person (phone, name, commune, language, diacritics) VALUES ('+84912000001', 'Hoa', '27001', 'en', true)`,
		`INSERT INTO care_case (person_id, manager_id, commune, step) VALUES (1, 1, '27001', 'monitoring')`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	return store.New(pool, caretest.NewClock(turnNow)), pool
}

func req(phone care.Phone) dialog.TurnRequest {
	return dialog.TurnRequest{Channel: care.ChannelSMS, Key: string(phone), Phone: phone, Provider: care.ProviderTwilio, Now: turnNow}
}

func outcome(version int, pid string) dialog.Outcome {
	return dialog.Outcome{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: "+84912000001",
		Flow: "help", State: "category", Vars: map[string]string{"a": "b"}, Language: care.English, Version: version,
		ProviderID: pid, Inbound: "GIUP", Reply: storedReply(flows.Reply{Prompt: flows.Prompt{Text: "Help with what?"}, Step: version}),
		ReplyBody: "Help with what?", ReplyStatus: care.MsgSent, ReplyKey: "reply:twilio:" + pid, Now: turnNow}
}

// storedReply is r as the engine stores it with a turn.
func storedReply(r flows.Reply) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}

// beginWaiting begins a turn in the background, checks that it is still waiting for the
// session lock 200 ms later, and hands over its facts once it has them (zero Facts if it
// failed, which the test has then been told of).
func beginWaiting(t *testing.T, s *store.Store, r dialog.TurnRequest) <-chan dialog.Facts {
	t.Helper()
	done := make(chan dialog.Facts, 1)
	go func() {
		turn, err := s.BeginTurn(context.Background(), r)
		if err != nil {
			t.Error(err)
			close(done)
			return
		}
		done <- turn.Facts()
		turn.Rollback(context.Background())
	}()
	select {
	case <-done:
		t.Fatal("the turn did not wait for the session lock")
	case <-time.After(200 * time.Millisecond):
	}
	return done
}

func TestTurnCreatesLocksAndSavesTheSession(t *testing.T) {
	t.Parallel()
	s, pool := setupTurn(t)
	ctx := context.Background()
	turn, err := s.BeginTurn(ctx, req("+84912000001"))
	require.NoError(t, err)
	f := turn.Facts()
	require.True(t, f.Session.Created)
	require.Equal(t, care.English, f.Session.Language, "a new session speaks the person's language")
	require.NotNil(t, f.Person)
	require.Equal(t, care.CaseID(1), f.Person.CaseID)
	require.Equal(t, care.StepMonitoring, f.Person.CaseStep)
	require.Equal(t, "Lan", f.Person.ManagerName)
	require.True(t, f.Person.Diacritics)
	require.Nil(t, f.Manager)

	// A second turn on the session waits for the first to commit and then sees its state.
	done := beginWaiting(t, s, req("+84912000001"))
	require.NoError(t, turn.Commit(ctx, outcome(1, "SM1")))
	second := <-done
	require.False(t, second.Session.Created)
	require.Equal(t, 1, second.Session.Version)
	require.Equal(t, "help", second.Session.Flow)
	require.Equal(t, map[string]string{"a": "b"}, second.Session.Vars)

	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM message WHERE phone = '+84912000001' AND person_id = 1`).Scan(&n))
	require.Zero(t, n, "person_id comes from the outcome, which left it unset")
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM message WHERE phone = '+84912000001'`).Scan(&n))
	require.Equal(t, 2, n)

	t3, err := s.BeginTurn(ctx, dialog.TurnRequest{Channel: care.ChannelSMS, Key: "+84912000001", Phone: "+84912000001",
		Provider: care.ProviderTwilio, Now: turnNow, ReplyKey: "reply:twilio:SM1"})
	require.NoError(t, err)
	defer t3.Rollback(ctx)
	require.NotNil(t, t3.Facts().Duplicate)
	var dup flows.Reply
	require.NoError(t, json.Unmarshal(t3.Facts().Duplicate, &dup))
	require.Equal(t, "Help with what?", dup.Prompt.Text)
}

func TestRolledBackTurnLeavesNothing(t *testing.T) {
	t.Parallel()
	s, pool := setupTurn(t)
	ctx := context.Background()
	turn, err := s.BeginTurn(ctx, req("+84987000001"))
	require.NoError(t, err)
	_, err = turn.RequestHelp(ctx, dialog.HelpFiling{Phone: "+84987000001", Category: care.HelpOther, Channel: care.ChannelSMS,
		Now: turnNow, NextLevelAt: turnNow.Add(time.Hour)})
	require.NoError(t, err)
	turn.Rollback(ctx)
	turn.Rollback(ctx)
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM dialog_session) + (SELECT count(*) FROM help_request) + (SELECT count(*) FROM escalation)`).Scan(&n))
	require.Zero(t, n)
}

func TestTurnFacts(t *testing.T) {
	t.Parallel()
	s, pool := setupTurn(t)
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO checkin_schedule (case_id, weekday, minute_of_day) VALUES (1, 1, 540)`,
		`INSERT INTO checkin (schedule_id, case_id, person_id, due_at, retry_at, deadline_at, status) VALUES (1, 1, 1, $1::timestamptz - interval '30 hours', $1::timestamptz - interval '6 hours', $1::timestamptz + interval '18 hours', 'retried')`,
		`INSERT INTO appointment (case_id, person_id, at, place) VALUES (1, 1, $1::timestamptz + interval '1 day', 'Trạm y tế')`,
		`INSERT INTO reminder (appointment_id, version, offset_minutes, due_at, status, sent_at) VALUES (1, 1, 1440, $1, 'done', $1)`,
		`INSERT INTO dialog_session (channel, key, phone, flow, state, vars, updated_at) VALUES ('ussd', 'OLD', '+84912000001', 'help', 'danger', '{"category":"health"}', $1::timestamptz - interval '5 minutes')`,
	} {
		var args []any
		if strings.Contains(sql, "$1") {
			args = append(args, turnNow)
		}
		_, err := pool.Exec(ctx, sql, args...)
		require.NoError(t, err)
	}
	r := dialog.TurnRequest{Channel: care.ChannelUSSD, Key: "NEW", Phone: "+84912000001", Provider: care.ProviderAfricasTalking,
		Now: turnNow, PreviousSince: turnNow.Add(-time.Hour)}
	turn, err := s.BeginTurn(ctx, r)
	require.NoError(t, err)
	f := turn.Facts()
	turn.Rollback(ctx)
	require.NotNil(t, f.CheckIn)
	require.True(t, f.CheckIn.AskedAt.Equal(turnNow.Add(-6*time.Hour)), "a retried check-in was asked at its retry")
	require.NotNil(t, f.Reminder)
	require.Equal(t, "Trạm y tế", f.Reminder.Place)
	require.NotNil(t, f.Previous)
	require.Equal(t, "danger", f.Previous.State)
	require.Equal(t, "health", f.Previous.Vars["category"])

	r.PreviousSince = turnNow.Add(-time.Minute)
	turn, err = s.BeginTurn(ctx, r)
	require.NoError(t, err)
	require.Nil(t, turn.Facts().Previous, "too old to resume")
	turn.Rollback(ctx)

	turn, err = s.BeginTurn(ctx, req("+84901000003"))
	require.NoError(t, err)
	defer turn.Rollback(ctx)
	require.Nil(t, turn.Facts().Person)
	require.Equal(t, &dialog.ManagerFacts{ID: 2, Name: "Tâm", Commune: "27002", Language: care.English}, turn.Facts().Manager)
}

func TestTurnCommune(t *testing.T) {
	t.Parallel()
	s, _ := setupTurn(t)
	ctx := context.Background()
	turn, err := s.BeginTurn(ctx, req("+84987000001"))
	require.NoError(t, err)
	defer turn.Rollback(ctx)
	for q, want := range map[string]care.CommuneCode{
		"27001": "27001", "hoa binh": "27001", "HÒA BÌNH": "27001", "xã hoà bình": "27001", "tan an": "27002", "Xa Tan An": "27002", "nowhere": "",
	} {
		c, ok, err := turn.Commune(ctx, flows.NormalizeCommune(q))
		require.NoError(t, err)
		require.Equal(t, want != "", ok, q)
		require.Equal(t, want, c.Code, q)
	}
}

func TestCommuneNamesAreComparedStrippedAsTheEngineStripsThem(t *testing.T) {
	t.Parallel()
	require.Equal(t, flows.StripDiacritics(store.TurnAccents), store.TurnPlain)
	require.Equal(t, len([]rune(store.TurnAccents)), len([]rune(store.TurnPlain)), "translate() maps letter for letter")
}

func TestTurnRegister(t *testing.T) {
	t.Parallel()
	s, pool := setupTurn(t)
	ctx := context.Background()
	turn, err := s.BeginTurn(ctx, req("+84987000001"))
	require.NoError(t, err)
	got, err := turn.Register(ctx, dialog.Registration{Phone: "+84912000001", Name: "X", Commune: "27001", Language: care.Vietnamese,
		Channel: care.ChannelSMS, Now: turnNow})
	require.NoError(t, err)
	require.True(t, got.Existing)
	got, err = turn.Register(ctx, dialog.Registration{Phone: "+84987000001", Name: "Ai đó", Commune: "27003", Language: care.Vietnamese,
		Channel: care.ChannelSMS, Now: turnNow, Needs: []care.NeedArea{care.NeedHealth}})
	require.NoError(t, err)
	require.False(t, got.Existing)
	require.NotZero(t, got.PersonID)
	require.Zero(t, got.CaseID, "no case manager in 27003: the person is registered without a case")
	require.False(t, got.ManagerActive)
	require.NoError(t, turn.Commit(ctx, dialog.Outcome{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: "+84987000001",
		Vars: map[string]string{}, Language: care.Vietnamese, Version: 1, ReplyStatus: care.MsgSent, ReplyKey: "k", Now: turnNow}))
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM person WHERE phone = '+84987000001' AND consent_at IS NOT NULL`).Scan(&n))
	require.Equal(t, 1, n)
}

func TestTurnEscalationCheck(t *testing.T) {
	t.Parallel()
	s, pool := setupTurn(t)
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO escalation (reason, commune) VALUES ('help_request', '27001')`,
		`INSERT INTO escalation (reason, commune) VALUES ('help_request', '27001')`,
		`INSERT INTO escalation (reason) VALUES ('help_request')`,
		`INSERT INTO escalation_notice (escalation_id, level, manager_id, at) VALUES (2, 1, 2, now())`,
	} {
		_, err := pool.Exec(ctx, sql)
		require.NoError(t, err)
	}
	turn, err := s.BeginTurn(ctx, req("+84901000003"))
	require.NoError(t, err)
	defer turn.Rollback(ctx)
	for id, want := range map[care.EscalationID]dialog.AckCheck{
		1: {Found: true, Status: care.EscalationOpen, Allowed: false},
		2: {Found: true, Status: care.EscalationOpen, Allowed: true},
		3: {Found: true, Status: care.EscalationOpen, Allowed: false},
		9: {},
	} {
		got, err := turn.Escalation(ctx, id, 2, "27002")
		require.NoError(t, err)
		require.Equal(t, want, got, id)
	}
}

// TestTurnQueuedOnTheLockSeesWhatTheFirstCommitted: a retried webhook that waits on the
// session lock must see the first delivery's reply (its facts are read after the lock).
func TestTurnQueuedOnTheLockSeesWhatTheFirstCommitted(t *testing.T) {
	t.Parallel()
	s, _ := setupTurn(t)
	ctx := context.Background()
	first, err := s.BeginTurn(ctx, req("+84912000001"))
	require.NoError(t, err)
	require.NoError(t, first.Commit(ctx, outcome(1, "SM1")))

	turn, err := s.BeginTurn(ctx, req("+84912000001"))
	require.NoError(t, err)
	require.False(t, turn.Facts().Session.Created)
	retry := req("+84912000001")
	retry.ReplyKey = "reply:twilio:SM2"
	done := beginWaiting(t, s, retry)
	require.NoError(t, turn.Commit(ctx, outcome(2, "SM2")))
	second := <-done
	require.Equal(t, 2, second.Session.Version)
	require.NotNil(t, second.Duplicate, "the retry sees the reply committed while it waited")
}

// TestTurnMovesASessionKeyToTheCallingPhone: a USSD session id met again from another phone
// (an aggregator reusing ids) is locked and handed to the new phone, not shared with the old.
func TestTurnMovesASessionKeyToTheCallingPhone(t *testing.T) {
	t.Parallel()
	s, pool := setupTurn(t)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO dialog_session (channel, key, phone, flow, state) VALUES ('ussd', 'ATX1', '+84912000001', 'help', 'category')`)
	require.NoError(t, err)

	b, err := s.BeginTurn(ctx, dialog.TurnRequest{Channel: care.ChannelUSSD, Key: "ATX1", Phone: "+84912000009",
		Provider: care.ProviderAfricasTalking, Now: turnNow})
	require.NoError(t, err)
	require.False(t, b.Facts().Session.Created)
	require.Nil(t, b.Facts().Person, "the facts are the new phone's")
	out := outcome(1, "")
	out.Channel, out.Provider, out.Phone, out.ReplyKey = care.ChannelUSSD, care.ProviderAfricasTalking, "+84912000009", "reply:ussd:ATX1:1"
	require.NoError(t, b.Commit(ctx, out))

	var phone string
	require.NoError(t, pool.QueryRow(ctx, `SELECT phone FROM dialog_session WHERE channel = 'ussd' AND key = 'ATX1'`).Scan(&phone))
	require.Equal(t, "+84912000009", phone)
}

// TestDialWithAKnownSessionIDLocksIt: a dial whose session id exists already (the aggregator
// retrying the dial) finds that session, locked, instead of failing or making another.
func TestDialWithAKnownSessionIDLocksIt(t *testing.T) {
	t.Parallel()
	s, pool := setupTurn(t)
	ctx := context.Background()
	dial := dialog.TurnRequest{Channel: care.ChannelUSSD, Key: "ATD1", Phone: "+84912000001",
		Provider: care.ProviderAfricasTalking, Now: turnNow, PreviousSince: turnNow.Add(-30 * time.Minute)}
	first, err := s.BeginTurn(ctx, dial)
	require.NoError(t, err)
	require.True(t, first.Facts().Session.Created)
	require.Equal(t, care.English, first.Facts().Session.Language, "a new session speaks the person's language")
	out := outcome(1, "")
	out.Channel, out.Provider, out.ReplyKey = care.ChannelUSSD, care.ProviderAfricasTalking, "reply:ussd:ATD1:0"
	require.NoError(t, first.Commit(ctx, out))

	again, err := s.BeginTurn(ctx, dial)
	require.NoError(t, err)
	defer again.Rollback(ctx)
	require.False(t, again.Facts().Session.Created)
	require.Equal(t, 1, again.Facts().Session.Version)
	var n int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM dialog_session WHERE key = 'ATD1'`).Scan(&n))
	require.Equal(t, 1, n)
}

// The generated column name_plain (migration 00025) holds the letter lists of
// turnAccents/turnPlain as they stood then: a name of every accented letter comes out as
// the store strips it, lower case.
func TestNamePlainIsStripAccents(t *testing.T) {
	t.Parallel()
	e := setup(t)
	commune := e.fx.Commune("np1")
	letters := []rune(store.TurnAccents)
	for half := range 2 { // a name holds at most 100 letters
		name := string(letters[half*len(letters)/2 : (half+1)*len(letters)/2])
		p := &care.Person{Phone: e.fx.Phone(), Name: name, Commune: commune,
			Language: care.Vietnamese, Channel: care.ChannelSMS, Status: care.PersonActive}
		require.NoError(t, e.s.CreatePerson(e.ctx, p))
		got := storetest.One[string](t, e.s.Pool(), `SELECT name_plain FROM person WHERE id = $1`, int64(p.ID))
		require.Equal(t, strings.ToLower(flows.StripDiacritics(name)), got)
	}
}
