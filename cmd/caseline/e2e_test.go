package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/simulators/phone"
	"github.com/caseline/caseline/store/storetest"
)

// The end-to-end test runs `caseline dev` (migrations, demo data, fake Twilio, gateway,
// workers) inside the test process on a fresh database and talks to it only as the world
// does: phones through the phone simulator (signed Twilio webhooks, Africa's Talking USSD),
// the case manager through the JSON API, and what Caseline sent through the fake Twilio's
// /_fake/messages and /_fake/calls.

// The secrets testEnv gives the dev system, which the simulated phones must use too.
const (
	e2eAuthToken  = "testtoken"
	e2eAccountSID = "AC123"
	e2eTwilioFrom = "+84901000000"
	e2eUSSDToken  = "test-token"
	// e2eService is a messaging service SID: TestE2E sends its SMS through one, and places
	// its calls from e2eTwilioFrom as the caller id.
	e2eService = "MG0123456789abcdef0123456789abcdef"
)

// dispatchSlack is how long after a piece of work falls due it may take to reach the fake
// Twilio: the dispatcher's 5 s pass, the task, the outbox send, on a loaded machine.
const dispatchSlack = 45 * time.Second

// devSystem is one `caseline dev` running in this process.
type devSystem struct {
	t     *testing.T
	proc  *process
	base  string         // the gateway, which is also its PUBLIC_BASE_URL
	fake  string         // the fake Twilio
	token string         // the demo case manager's API token, as dev printed it
	db    string         // DATABASE_URL
	loc   *time.Location // TIMEZONE
}

// endToEnd skips a test that runs the whole system under -short.
func endToEnd(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: runs the whole system")
	}
}

// startDev runs `caseline dev` on a fresh database and a Redis database of the test's own,
// with PUBLIC_BASE_URL equal to the address the gateway listens on (Twilio signatures cover
// it), and waits until it is ready.
//
// The time zone is one where it is about noon now. Quiet hours (21:00–07:00) and the demo's
// "appointment tomorrow at 09:00" would otherwise make what is due depend on when the test
// runs; TIMEZONE is an ordinary setting of every deployment.
func startDev(t *testing.T) *devSystem { return startDevWith(t, nil) }

// startDevWith is startDev with the variables of env besides.
func startDevWith(t *testing.T, env map[string]string) *devSystem {
	t.Helper()
	db := storetest.NewDatabase(t)
	redisURL := leaseRedis(t)
	zone := noonZone(time.Now())
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	for attempt := 1; ; attempt++ {
		addr := freeAddr(t)
		vars := map[string]string{
			"REDIS_URL":       redisURL,
			"LISTEN_ADDR":     addr,
			"PUBLIC_BASE_URL": "http://" + addr,
			"TIMEZONE":        zone,
			"LOG_LEVEL":       "info",
		}
		for k, v := range env {
			vars[k] = v
		}
		p := start(t, testEnv(t, db, vars), "dev")
		listening, err := waitLog(p, "listening", 60*time.Second)
		if err != nil && attempt < 3 && strings.Contains(err.Error(), "address already in use") {
			continue // someone took the port between freeAddr and the listen: try another
		}
		require.NoError(t, err)
		require.Equal(t, addr, listening["addr"], "the gateway listens where PUBLIC_BASE_URL says")
		faked, err := waitLog(p, "fake twilio listening", 10*time.Second)
		require.NoError(t, err)
		s := &devSystem{t: t, proc: p, base: "http://" + addr, fake: fmt.Sprintf("http://%s", faked["addr"]), db: db, loc: loc}
		m := regexp.MustCompile(`Bearer (cl_[0-9a-f]+)`).FindStringSubmatch(p.stdout.String())
		require.NotNil(t, m, "dev prints the demo case manager's API token; stdout:\n%s", p.stdout.String())
		s.token = m[1]
		s.eventually("the gateway is ready", 30*time.Second, func() (bool, string) {
			status, body := s.get(s.base + "/readyz")
			return status == http.StatusOK, body
		})
		return s
	}
}

// withT is s reporting to t, for use in a subtest.
func (s *devSystem) withT(t *testing.T) *devSystem {
	c := *s
	c.t = t
	return &c
}

// waitLog returns the first line logged with message msg, or an error when run returned
// first or timeout passed.
func waitLog(p *process, msg string, timeout time.Duration) (map[string]any, error) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for line := range strings.Lines(p.logs.String()) {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["message"] == msg {
				return m, nil
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			return nil, fmt.Errorf("run returned before logging %q: %w; logs:\n%s", msg, err, p.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("no %q log line in %s; logs:\n%s", msg, timeout, p.logs.String())
}

// freeAddr returns a loopback address with a port nobody listened on a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// noonZone names a fixed-offset zone (Etc/GMT±N) in which the hour of now is 12.
func noonZone(now time.Time) string {
	offset := 12 - now.UTC().Hour() // -11 … +12 hours east of UTC
	if offset == 0 {
		return "Etc/GMT"
	}
	return fmt.Sprintf("Etc/GMT%+d", -offset) // the Etc names count west: GMT-7 is UTC+7
}

// leaseRedis is a Redis database of the test's own, emptied before and after (see
// storetest.NewRedisDB): two dev systems on one database would take each other's tasks.
func leaseRedis(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("redis://%s/%d", storetest.RedisAddr, storetest.NewRedisDB(t))
}

// eventually polls check until it reports true, failing the test with what it last saw
// when timeout passes.
func (s *devSystem) eventually(what string, timeout time.Duration, check func() (bool, string)) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		var ok bool
		if ok, last = check(); ok {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: not within %s; last seen: %s", what, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *devSystem) get(u string) (int, string) {
	s.t.Helper()
	resp, err := http.Get(u)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp.StatusCode, string(body)
}

// api calls the case-manager API with the demo token; out, when set, receives the JSON
// answer, which must have status want.
func (s *devSystem) api(method, path string, in any, want int, out any) {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		require.NoError(s.t, err)
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+"/api/v1"+path, body)
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	require.Equal(s.t, want, resp.StatusCode, "%s %s: %s", method, path, raw)
	if out != nil {
		require.NoError(s.t, json.Unmarshal(raw, out), "%s %s: %s", method, path, raw)
	}
}

// apiPerson is the part of the API's Person the tests read.
type apiPerson struct {
	ID      int64  `json:"id"`
	Phone   string `json:"phone"`
	Name    string `json:"name"`
	Commune string `json:"commune"`
	Channel string `json:"channel"`
	ReachBy string `json:"reach_by"`
}

// apiCase is the part of the API's Case the tests read.
type apiCase struct {
	ID        int64  `json:"id"`
	PersonID  int64  `json:"person_id"`
	ManagerID int64  `json:"manager_id"`
	Step      string `json:"step"`
}

// apiEscalation is the part of the API's Escalation the tests read.
type apiEscalation struct {
	ID          int64      `json:"id"`
	Reason      string     `json:"reason"`
	PersonID    *int64     `json:"person_id"`
	CaseID      *int64     `json:"case_id"`
	CheckInID   *int64     `json:"checkin_id"`
	Level       int        `json:"level"`
	Status      string     `json:"status"`
	NextLevelAt *time.Time `json:"next_level_at"`
	AckedBy     *int64     `json:"acked_by"`
	AckedAt     *time.Time `json:"acked_at"`
}

// person finds the person with this phone number by paging through GET /persons, as a case
// manager's client would (the API has no search by phone).
func (s *devSystem) person(number string) apiPerson {
	s.t.Helper()
	cursor := ""
	for {
		var page struct {
			Items []apiPerson `json:"items"`
			Next  *string     `json:"next"`
		}
		s.api("GET", "/persons?limit=200&cursor="+url.QueryEscape(cursor), nil, http.StatusOK, &page)
		for _, p := range page.Items {
			if p.Phone == number {
				return p
			}
		}
		if page.Next == nil {
			s.t.Fatalf("no person %s in GET /persons", number)
		}
		cursor = *page.Next
	}
}

// managerID is the id of the staff member the API token belongs to.
func (s *devSystem) managerID() int64 {
	s.t.Helper()
	var me struct {
		ID int64 `json:"id"`
	}
	s.api("GET", "/me", nil, http.StatusOK, &me)
	require.NotZero(s.t, me.ID)
	return me.ID
}

// scheduleCheckIn starts weekly check-ins for a case with a window of windowMinutes, the
// first one due at the next whole minute of local time — the
// schedule's granularity — or the one after when the next is too close to be sure the
// request lands before it. It returns when that first check-in is due.
func (s *devSystem) scheduleCheckIn(caseID int64, windowMinutes int) time.Time {
	s.t.Helper()
	now := time.Now().In(s.loc)
	due := now.Truncate(time.Minute).Add(time.Minute)
	if due.Sub(now) < 10*time.Second {
		due = due.Add(time.Minute)
	}
	var sc struct {
		ID            int64  `json:"id"`
		Weekday       string `json:"weekday"`
		Time          string `json:"time"`
		WindowMinutes int    `json:"window_minutes"`
	}
	s.api("POST", fmt.Sprintf("/cases/%d/schedules", caseID), map[string]any{
		"weekday": strings.ToLower(due.Weekday().String()), "time": due.Format("15:04"), "window_minutes": windowMinutes,
	}, http.StatusCreated, &sc)
	require.Equal(s.t, windowMinutes, sc.WindowMinutes)
	return due
}

// fakeMessage and fakeCall are what GET /_fake/messages and /_fake/calls list.
type fakeMessage struct {
	To, From, Body      string
	MessagingServiceSid string `json:"messaging_service_sid"`
}

type fakeCall struct {
	Sid, To, From, URL string
}

// messages lists the SMS the fake Twilio accepted for number, oldest first.
func (s *devSystem) messages(number string) []fakeMessage {
	s.t.Helper()
	var out struct{ Messages []fakeMessage }
	status, body := s.get(s.fake + "/_fake/messages?to=" + url.QueryEscape(number))
	require.Equal(s.t, http.StatusOK, status, body)
	require.NoError(s.t, json.Unmarshal([]byte(body), &out))
	return out.Messages
}

// calls lists the calls the fake Twilio was asked to place to number, oldest first.
func (s *devSystem) calls(number string) []fakeCall {
	s.t.Helper()
	var out struct{ Calls []fakeCall }
	status, body := s.get(s.fake + "/_fake/calls?to=" + url.QueryEscape(number))
	require.Equal(s.t, http.StatusOK, status, body)
	require.NoError(s.t, json.Unmarshal([]byte(body), &out))
	return out.Calls
}

// answered is what the fake Twilio's POST /_fake/answer tells of a call's TwiML.
type answered struct {
	HTTPStatus int `json:"http_status"`
	Said       []struct{ Text, Voice, Language string }
	Alerts     []struct {
		ErrorCode int `json:"error_code"`
		Message   string
	}
}

// answer has the person called pick up call sid: the fake Twilio fetches and runs its TwiML.
func (s *devSystem) answer(sid string) answered {
	s.t.Helper()
	resp, err := http.Post(s.fake+"/_fake/answer?sid="+url.QueryEscape(sid), "", nil)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	require.Equal(s.t, http.StatusOK, resp.StatusCode, string(raw))
	var a answered
	require.NoError(s.t, json.Unmarshal(raw, &a), string(raw))
	return a
}

func sayTexts(said []struct{ Text, Voice, Language string }) []string {
	out := make([]string, len(said))
	for i, s := range said {
		out[i] = s.Text
	}
	return out
}

// waitMessage waits for an SMS to number whose body matches re and returns its submatches.
func (s *devSystem) waitMessage(what, number string, re *regexp.Regexp, timeout time.Duration) []string {
	s.t.Helper()
	var found []string
	s.eventually(what, timeout, func() (bool, string) {
		ms := s.messages(number)
		for _, m := range ms {
			if found = re.FindStringSubmatch(m.Body); found != nil {
				return true, ""
			}
		}
		return false, fmt.Sprintf("SMS to %s: %+v", number, ms)
	})
	return found
}

// phone is a simulated phone of number talking to the dev system.
func (s *devSystem) phone(number string) *phone.Phone {
	s.t.Helper()
	p, err := phone.New(s.phoneOptions(number))
	require.NoError(s.t, err)
	return p
}

func (s *devSystem) phoneOptions(number string) phone.Options {
	return phone.Options{
		BaseURL: s.base, PublicBaseURL: s.base, AuthToken: e2eAuthToken, AccountSID: e2eAccountSID,
		Number: number, To: e2eTwilioFrom, USSDToken: e2eUSSDToken,
	}
}

// TestE2E walks issue 5's story through the public interfaces of a running `caseline dev`:
// a person registers by USSD; their case manager finds them through the API and books an
// appointment, whose reminder reaches the fake Twilio by SMS (and a blind person's, booked
// the same way, as a call); a check-in goes unanswered until its deadline, the case manager
// gets the escalation SMS, acknowledges it by SMS, and the ladder stops.
//
// It runs as a deployment with a messaging service does (TWILIO_FROM=MG…): SMS go with
// MessagingServiceSid, calls come from TWILIO_CALLER_ID, and the fake Twilio, which owns
// only that number, refuses a call from anything else (21210). The blind person answers
// the reminder call: the fake fetches its TwiML as Twilio does and hears every <Say>.
//
// The check-in's window is the API's smallest, one minute, so its deadline passes on the wall
// clock while the test waits.
func TestE2E(t *testing.T) {
	endToEnd(t)
	s := startDevWith(t, map[string]string{"TWILIO_FROM": e2eService, "TWILIO_CALLER_ID": e2eTwilioFrom})
	ctx := context.Background()
	const newcomer = "+84987650001"

	// 1. A person registers by USSD, for themself: name, commune, needs, channel, consent.
	ph := s.phone(newcomer)
	steps := []struct{ input, want string }{
		{"*123#", "Dang ky"},
		{"1", "Ban dang ky cho ai?"},
		{"1", "Ho va ten cua ban:"},
		{"Lê Thị Mai", "Song o xa, phuong nao?"},
		{"Tân An", "Can ho tro gi? Gui cac so: 13 la 1 va 3."},
		{"23", "Nen lien lac bang cach nao?"}, // two needs, typed with no space on a keypad
		{"1", "Ban co dong y khong?"},
	}
	for _, st := range steps {
		var scr phone.Screen
		var err error
		if st.input == "*123#" {
			scr, err = ph.DialUSSD(ctx, st.input)
		} else {
			scr, err = ph.ReplyUSSD(ctx, st.input)
		}
		require.NoError(t, err, "ussd %q", st.input)
		require.False(t, scr.End, "ussd %q: %s", st.input, scr.Text)
		require.Contains(t, fold(scr.Text), fold(st.want), "ussd %q", st.input)
	}
	scr, err := ph.ReplyUSSD(ctx, "1")
	require.NoError(t, err)
	require.True(t, scr.End, "the consent ends the session: %s", scr.Text)
	m := regexp.MustCompile(`^Dang ky xong\. Ma so: (\d+)\. Can bo xa se lien he\.$`).FindStringSubmatch(strings.TrimSpace(scr.Text))
	require.NotNil(t, m, "the confirmation carries the reference: %q", scr.Text)
	ref := m[1]

	// Africa's Talking tells how the session ended: recorded under the USSD token only.
	ended := url.Values{"sessionId": {"ATUid_e2e"}, "phoneNumber": {newcomer}, "status": {"Success"},
		"hopsCount": {"9"}, "durationInMillis": {"61000"}, "serviceCode": {"*123#"}, "networkCode": {"45204"}}
	for token, want := range map[string]int{"guess": http.StatusForbidden, e2eUSSDToken: http.StatusOK} {
		resp, err := http.PostForm(s.base+"/ussd/africastalking/events?token="+token, ended)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, "token %s", token)
	}

	// The commune's case manager is told by SMS; that is how we learn who it is.
	notice := regexp.MustCompile(`dang ky moi, ma ` + ref + `, Le Thi Mai, so \` + newcomer + `\. Nhu cau: .*Ho so (\d+), buoc 1\.`)
	var manager string
	var caseRef string
	s.eventually("the case manager is told of the registration", dispatchSlack, func() (bool, string) {
		for _, staff := range []string{demoManagerPhone.E164(), demoManager2Phone.E164()} {
			for _, msg := range s.messages(staff) {
				if mm := notice.FindStringSubmatch(msg.Body); mm != nil {
					manager, caseRef = staff, mm[1]
					return true, ""
				}
			}
		}
		return false, fmt.Sprintf("%+v %+v", s.messages(demoManagerPhone.E164()), s.messages(demoManager2Phone.E164()))
	})

	// 2. The case manager finds the person and their case through the API.
	p := s.person(newcomer)
	require.Equal(t, ref, strconv.FormatInt(p.ID, 10), "the reference is the person's")
	require.Equal(t, "Lê Thị Mai", p.Name)
	require.Equal(t, string(demoCommune), p.Commune)
	require.Equal(t, "sms", p.ReachBy)
	var kase apiCase
	s.api("GET", fmt.Sprintf("/persons/%d/case", p.ID), nil, http.StatusOK, &kase)
	require.Equal(t, caseRef, strconv.FormatInt(kase.ID, 10))
	require.Equal(t, "assessment", kase.Step, "a registration opens a case at step 1")

	// The check-in schedule goes in first: its first check-in waits for the next whole
	// minute, and the appointment's reminder can be checked meanwhile.
	// The API's smallest window, one minute: the deadline passes while the test waits.
	checkInDue := s.scheduleCheckIn(kase.ID, 1)

	// 3. An appointment four hours ahead: its T−24h reminder is overdue at once and goes
	// now, by SMS, the person's channel.
	// (Four, not three: a T−2h reminder due within the hour would hold the late one back.)
	at := time.Now().Add(4 * time.Hour).Truncate(time.Minute)
	s.api("POST", fmt.Sprintf("/cases/%d/appointments", kase.ID), map[string]any{
		"at": at.Format(time.RFC3339), "place": "Trạm y tế xã Tân An",
	}, http.StatusCreated, nil)
	reminder := regexp.MustCompile(`^Caseline nhac lich hen ngay ` + regexp.QuoteMeta(at.In(s.loc).Format("02/01")) +
		` luc ` + regexp.QuoteMeta(at.In(s.loc).Format("15:04")) + ` tai Tram y te xa Tan An\. Tra loi 1: toi se den, 2: toi khong den duoc\.$`)
	s.waitMessage("the reminder reaches the person by SMS", newcomer, reminder, dispatchSlack)
	require.Empty(t, s.calls(newcomer), "an SMS person is not called")
	for _, msg := range s.messages(newcomer) {
		require.Equal(t, e2eService, msg.MessagingServiceSid, "SMS go through the messaging service")
		require.Empty(t, msg.From, "the service picks the number")
	}

	// The same for the demo's blind person, whose channel is a call.
	blind := s.person(demoBlindPhone.E164())
	require.Equal(t, "voice", blind.ReachBy)
	var blindCase apiCase
	s.api("POST", fmt.Sprintf("/persons/%d/cases", blind.ID), nil, http.StatusCreated, &blindCase)
	var appt struct {
		ID int64 `json:"id"`
	}
	s.api("POST", fmt.Sprintf("/cases/%d/appointments", blindCase.ID), map[string]any{
		"at": at.Format(time.RFC3339), "place": "Trạm y tế xã Tân An",
	}, http.StatusCreated, &appt)
	s.eventually("the reminder reaches the blind person as a call", dispatchSlack, func() (bool, string) {
		cs := s.calls(demoBlindPhone.E164())
		return len(cs) > 0, fmt.Sprintf("%+v", cs)
	})
	call := s.calls(demoBlindPhone.E164())[0]
	require.Equal(t, e2eTwilioFrom, call.From, "the call comes from the caller id, not the messaging service")
	require.True(t, strings.HasPrefix(call.URL, s.base+"/twilio/voice"), "Twilio fetches the call's TwiML from the gateway: %s", call.URL)
	require.Empty(t, s.messages(demoBlindPhone.E164()), "a blind person's reminder is a call, not an SMS")
	answered := s.answer(call.Sid)
	require.Equal(t, http.StatusOK, answered.HTTPStatus)
	require.Empty(t, answered.Alerts, "Twilio speaks every <Say> of the reminder call")
	require.NotEmpty(t, answered.Said)
	for _, said := range answered.Said {
		require.Equal(t, "vi-VN", said.Language, said.Text)
		require.Equal(t, "Google.vi-VN-Standard-A", said.Voice, "TWILIO_VOICE_VI's default")
	}
	require.Contains(t, fold(strings.Join(sayTexts(answered.Said), " ")), "lich hen", "the call is the reminder")

	// 4. The check-in goes out at its minute, by SMS, and is not answered.
	s.waitMessage("the check-in reaches the person", newcomer,
		regexp.MustCompile(`^Caseline hoi tham: dao nay moi viec cua ban the nao\? Tra loi 1: moi viec on, 2: toi can giup do\.$`),
		time.Until(checkInDue)+dispatchSlack)
	deadline := checkInDue.Add(time.Minute + dispatchSlack)

	// 5. No answer by the deadline: an escalation, and its SMS to the case manager.
	esc := s.waitMessage("the escalation reaches the case manager", manager,
		regexp.MustCompile(`^Caseline #(\d+): Le Thi Mai \`+newcomer+` khong tra loi hoi tham\. Tra loi XN (\d+)$`),
		time.Until(deadline))
	code := esc[1]
	require.Equal(t, code, esc[2])
	var e apiEscalation
	s.api("GET", "/escalations/"+code, nil, http.StatusOK, &e)
	require.Equal(t, "checkin_missed", e.Reason)
	require.Equal(t, "open", e.Status)
	require.Equal(t, 0, e.Level, "the case manager is the first rung")
	require.NotNil(t, e.NextLevelAt, "unacknowledged, it would climb")
	require.NotNil(t, e.PersonID)
	require.Equal(t, p.ID, *e.PersonID)
	require.NotNil(t, e.CheckInID)
	require.NotNil(t, e.CaseID)
	require.Equal(t, kase.ID, *e.CaseID)

	// 6. The case manager acknowledges by SMS from their own phone, and the ladder stops.
	reply, err := s.phone(manager).SMS(ctx, "XN "+code)
	require.NoError(t, err)
	require.Equal(t, []string{"Da nhan xu ly yeu cau " + code + "."}, reply.Messages)
	s.api("GET", "/escalations/"+code, nil, http.StatusOK, &e)
	require.Equal(t, "acknowledged", e.Status)
	require.Nil(t, e.NextLevelAt, "an acknowledged escalation climbs no further")
	require.NotNil(t, e.AckedBy)
	require.Equal(t, kase.ManagerID, *e.AckedBy)
	require.NotNil(t, e.AckedAt)
	require.Equal(t, 0, e.Level)
	var open struct {
		Items []apiEscalation `json:"items"`
	}
	s.api("GET", "/escalations?status=open", nil, http.StatusOK, &open)
	for _, o := range open.Items {
		require.NotEqual(t, e.ID, o.ID, "no longer in the open queue")
	}
	for _, msg := range s.messages(demoSuperPhone.E164()) {
		require.NotContains(t, msg.Body, "#"+code+":", "the supervisor is never told of it")
	}
	require.NoError(t, s.proc.stop(t))
}

func TestNoonZone(t *testing.T) {
	for h := range 24 {
		now := time.Date(2026, time.November, 23, h, 59, 59, 0, time.UTC)
		zone := noonZone(now)
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err, zone)
		local := now.In(loc).Hour()
		require.Equal(t, 12, local, "%s at %s UTC", zone, now.Format("15:04"))
	}
}

// fold lowers case and strips diacritics, as the phone simulator's contains: does.
func fold(s string) string {
	return strings.ToLower(flows.StripDiacritics(s))
}
