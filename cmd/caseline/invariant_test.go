package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/simulators/androidgw"
	"github.com/caseline/caseline/simulators/faketwilio"
	"github.com/caseline/caseline/simulators/phone"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
	"github.com/caseline/caseline/workers"
)

// The invariant of issue 11: every call for help reaches a human, and the caller is told
// the truth about who. It lives here, with the wiring, because it needs everything `serve`
// and `work` put together, exactly as they do it (gatewayHandler, workerDeps): the real
// webhook handlers and dialog engine, the real store, the workers and the dispatcher on a
// Redis database of the test's own, and the real Twilio sender talking HTTP to the fake
// Twilio (simulators/faketwilio). The workers package may import neither the gateway nor
// the Twilio sender; only the clock is the test's, stepped by hand.
//
// Conversations are generated over every channel (SMS by Twilio and by an Android SIM
// gateway, USSD, voice), every kind of caller (registered with a case; registered with a case
// whose manager is gone, so another of the commune stands in; not registered and naming a
// commune with staff, a commune with nobody, or no commune), every help category,
// "in danger" yes and no, by day and in quiet hours, voice 0 whose dial nobody answers, and
// requests dropped after their category (reported unfinished).
// For each the test proves: a staff member's phone got the request at the fake Twilio
// within the SLA, and it is the phone the confirmation promised — the commune social worker
// or the support line (the on-call roster) — with "right away" exactly when the escalation
// is urgent; an urgent one climbs when nobody acknowledges it. Then with nobody on call the
// requests of callers of no staffed commune are saved, counted as unrouted on /metrics
// (while /readyz stays 200 and an error is logged), reach no phone, promise no call and give
// the emergency numbers; a duty officer who goes on call later gets every one of them.
// (A call cut off by a database outage is the fault suite's and the spool's tests' part.)

// invariantStart is a Monday at 10:00 in Hà Nội, in the past of the wall clock, so asynq runs
// at once every task the dispatcher queues for the stepped clock's "now".
var invariantStart = time.Date(2026, 6, 1, 10, 0, 0, 0, mustZone(care.DefaultTimeZone))

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// helpWorld is the system under test and what the test seeded in it.
type helpWorld struct {
	t       *testing.T
	ctx     context.Context
	clock   *caretest.Clock
	pool    *pgxpool.Pool
	st      *store.Store
	base    string
	fake    *faketwilio.Server
	disp    *workers.Dispatcher
	android *androidgw.Gateway
	logs    *logSink
	sla     care.SLA
	seq     atomic.Int64

	manager, supervisor, duty care.Phone // commune 17245's ladder
	roster                    [2]care.Phone
	managerID                 care.ManagerID
	goneID                    care.ManagerID // an inactive case manager of 17245, with the same supervisor
}

const (
	staffedCommune = "17245" // a case manager, a supervisor, a duty officer
	emptyCommune   = "17246" // known, but nobody works there: the roster takes its requests
)

func startHelpWorld(t *testing.T) *helpWorld {
	t.Helper()
	ctx := t.Context()
	logs := &logSink{}
	log := zerolog.New(logs).Level(zerolog.InfoLevel)

	fake := faketwilio.New(faketwilio.Options{AccountSID: e2eAccountSID, AuthToken: e2eAuthToken})
	fakeSrv := httptest.NewServer(fake)
	t.Cleanup(fakeSrv.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()

	db := storetest.NewDatabase(t)
	cfg, err := loadConfig(getenv(testEnv(t, db, map[string]string{
		"REDIS_URL": leaseRedis(t), "PUBLIC_BASE_URL": base, "TWILIO_API_URL": fakeSrv.URL,
		"TWILIO_AUTH_TOKEN": e2eAuthToken, "USSD_TOKEN": e2eUSSDToken, "TIMEZONE": care.DefaultTimeZone,
	})), "serve")
	require.NoError(t, err)
	pool, err := store.Open(ctx, cfg.DatabaseURL, log)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	rdb, err := openRedis(cfg.RedisURL)
	require.NoError(t, err)
	t.Cleanup(func() { rdb.Close() })

	clock := caretest.NewClock(invariantStart)
	st := store.New(pool, clock)
	gw := httpDeps(log, newRegistry(st, log), pool, rdb)
	_, err = addGateway(cfg, log, st, nil, clock, &gw)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(gateway.NewHandler(gw))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	deps, err := workerDeps(cfg, log, st, rdb, clock)
	require.NoError(t, err)
	wc := workerComponent(rdb, log, deps)
	require.NoError(t, wc.start(ctx, func(err error) { t.Errorf("workers: %v", err) }))
	t.Cleanup(func() { _ = wc.stop(context.Background()) })
	disp, err := workers.NewDispatcher(deps, deps.Enqueuer)
	require.NoError(t, err)
	android, err := androidgw.New(androidgw.Options{URL: base + "/android/sms", Password: cfg.AndroidPassword})
	require.NoError(t, err)

	w := &helpWorld{t: t, ctx: ctx, clock: clock, pool: pool, st: st, base: base, fake: fake, disp: disp,
		android: android, logs: logs, sla: care.DefaultSLA}
	w.seed()
	return w
}

func (w *helpWorld) exec(sql string, args ...any) {
	w.t.Helper()
	storetest.Exec(w.t, w.pool, sql, args...)
}

func (w *helpWorld) id(sql string, args ...any) int64 {
	w.t.Helper()
	return storetest.One[int64](w.t, w.pool, sql, args...)
}

// newPhone is a number nobody used yet.
func (w *helpWorld) newPhone() care.Phone {
	return care.MustParsePhone(fmt.Sprintf("+8497%07d", w.seq.Add(1)))
}

// seed writes the staffed commune's ladder, the empty commune and two on-call duty officers.
func (w *helpWorld) seed() {
	w.exec(`INSERT INTO commune (code, name) VALUES ($1, 'Xã Tân An'), ($2, 'Xã Vắng')`, staffedCommune, emptyCommune)
	w.manager, w.supervisor, w.duty = w.newPhone(), w.newPhone(), w.newPhone()
	sup := w.id(`INSERT INTO case_manager (name, phone, commune, role) VALUES ('Giám sát', $1, $2, 'supervisor') RETURNING id`,
		w.supervisor, staffedCommune)
	w.managerID = care.ManagerID(w.id(`INSERT INTO case_manager (name, phone, commune, role, supervisor_id)
		VALUES ('Chị Lan', $1, $2, 'case_manager', $3) RETURNING id`, w.manager, staffedCommune, sup))
	w.goneID = care.ManagerID(w.id(`INSERT INTO case_manager (name, phone, commune, role, supervisor_id, active)
		VALUES ('Chị Cũ', $1, $2, 'case_manager', $3, false) RETURNING id`, w.newPhone(), staffedCommune, sup))
	duty := w.id(`INSERT INTO case_manager (name, phone, commune, role) VALUES ('Trực xã', $1, $2, 'duty_officer') RETURNING id`,
		w.duty, staffedCommune)
	w.exec(`UPDATE commune SET duty_officer_id = $1 WHERE code = $2`, duty, staffedCommune)
	for i := range w.roster {
		w.roster[i] = w.newPhone()
		w.exec(`INSERT INTO case_manager (name, phone, role) VALUES ('Trực tổng đài', $1, 'duty_officer')`, w.roster[i])
	}
}

// registered gives a new phone a person in the staffed commune with an open case managed by
// manager.
func (w *helpWorld) registered(manager care.ManagerID) care.Phone {
	p := w.newPhone()
	id := w.id(`INSERT INTO person (phone, name, commune, consent_at) VALUES ($1, 'Nguyễn Văn An', $2, $3) RETURNING id`,
		p, staffedCommune, w.clock.Now())
	w.exec(`INSERT INTO care_case (person_id, manager_id, commune, step) VALUES ($1, $2, $3, 'implementation')`,
		id, manager, staffedCommune)
	return p
}

// conversation is one generated call for help.
type conversation struct {
	channel string // sms, android, ussd, voice
	// caller is registered (with a case), orphaned (registered, their case manager gone:
	// another of the commune stands in), or the commune an unregistered caller names:
	// staffed, empty, none.
	caller   string
	category int // 1 … len(care.HelpCategories), in menu order
	danger   bool
	dial     string // voice 0: how the dial ended; "" for the help menu
	phone    care.Phone
	dialed   care.Phone // whom voice 0 rang ("" when nobody could be)
	reply    string     // the confirmation, without diacritics
}

func (c conversation) String() string {
	if c.dial != "" {
		return fmt.Sprintf("voice 0 %s, dial %s", c.caller, c.dial)
	}
	return fmt.Sprintf("%s %s category %d danger %v", c.channel, c.caller, c.category, c.danger)
}

// caller gives c its phone number (a registered person's, or a new one) and a simulated
// phone that talks to the gateway.
func (w *helpWorld) caller(c *conversation) *phone.Phone {
	w.t.Helper()
	switch c.caller {
	case "registered":
		c.phone = w.registered(w.managerID)
	case "orphaned":
		c.phone = w.registered(w.goneID)
	default:
		c.phone = w.newPhone()
	}
	ph, err := phone.New(phone.Options{BaseURL: w.base, AuthToken: e2eAuthToken, Number: string(c.phone),
		USSDToken: e2eUSSDToken, To: e2eTwilioFrom})
	require.NoError(w.t, err)
	return ph
}

// safetyCategory is the help menu's number of the safety category (care.HelpAbuse).
const safetyCategory = 5

// talk has the conversation through the simulators, as the world's providers deliver it.
func (w *helpWorld) talk(c *conversation) {
	w.t.Helper()
	ph := w.caller(c)
	commune := map[string]string{"staffed": staffedCommune, "empty": emptyCommune, "none": "1"}[c.caller]
	danger := "2"
	if c.danger {
		danger = "1"
	}
	category := strconv.Itoa(c.category)
	var last string
	switch c.channel {
	case "sms", "android":
		steps := []string{"GIUP", category}
		if c.category != safetyCategory { // a safety matter asks for no description by SMS
			steps = append(steps, "1")
		}
		if commune != "" {
			if c.caller == "staffed" {
				commune = "xa tan an" // by its name, without diacritics
			}
			steps = append(steps, commune)
		}
		for _, text := range append(steps, danger) {
			last = w.sms(ph, c, text)
		}
	case "ussd":
		_, err := ph.DialUSSD(w.ctx, "*123#")
		require.NoError(w.t, err)
		steps := []string{"3", category, "1"}
		if commune != "" {
			steps = append(steps, commune)
		}
		for _, text := range append(steps, danger) {
			scr, err := ph.ReplyUSSD(w.ctx, text)
			require.NoError(w.t, err, "%s: %s", c, text)
			last = scr.Text
		}
		require.False(w.t, ph.USSDOpen(), "%s: the session ends with the confirmation", c)
	case "voice":
		_, err := ph.Call(w.ctx)
		require.NoError(w.t, err)
		var turn phone.VoiceTurn
		if c.dial != "" {
			turn, err = ph.Press(w.ctx, "0")
			require.NoError(w.t, err)
			c.dialed = care.Phone(turn.Dial)
			if c.dialed != "" {
				require.True(w.t, ph.Dialing(), "%s: the call waits on the dial", c)
				turn, err = ph.DialEnds(w.ctx, c.dial)
				require.NoError(w.t, err)
			}
		} else {
			steps := []string{"3", category}
			if commune != "" {
				steps = append(steps, commune)
			}
			for _, digits := range append(steps, danger) {
				turn, err = ph.Press(w.ctx, digits)
				require.NoError(w.t, err, "%s: %s", c, digits)
			}
		}
		require.True(w.t, turn.End, "%s: the call ends with the confirmation", c)
		last = strings.Join(turn.Says, " ")
	}
	c.reply = flows.StripDiacritics(last)
}

// drop starts asking for help, chooses category c.category, and goes no further.
func (w *helpWorld) drop(c *conversation) {
	w.t.Helper()
	ph := w.caller(c)
	category := strconv.Itoa(c.category)
	switch c.channel {
	case "sms", "android":
		w.sms(ph, c, "GIUP")
		w.sms(ph, c, category)
	case "ussd":
		_, err := ph.DialUSSD(w.ctx, "*123#")
		require.NoError(w.t, err)
		_, err = ph.ReplyUSSD(w.ctx, "3")
		require.NoError(w.t, err)
		_, err = ph.ReplyUSSD(w.ctx, category)
		require.NoError(w.t, err)
		ph.CancelUSSD()
	case "voice":
		_, err := ph.Call(w.ctx)
		require.NoError(w.t, err)
		_, err = ph.Press(w.ctx, "3")
		require.NoError(w.t, err)
		_, err = ph.Press(w.ctx, category)
		require.NoError(w.t, err)
		ph.Hangup()
	}
}

// sms sends one text by Twilio or through the Android gateway and returns the reply.
func (w *helpWorld) sms(ph *phone.Phone, c *conversation, text string) string {
	w.t.Helper()
	if c.channel == "sms" {
		r, err := ph.SMS(w.ctx, text)
		require.NoError(w.t, err, "%s: %s", c, text)
		return strings.Join(r.Messages, "\n")
	}
	before := len(w.android.Sent())
	w.android.Receive(string(c.phone), text)
	require.NoError(w.t, w.android.Poll(w.ctx))
	sent := w.android.Sent()
	require.Greater(w.t, len(sent), before, "%s: %s: the reply comes back in the same poll", c, text)
	reply := sent[len(sent)-1]
	require.Equal(w.t, string(c.phone), reply.To)
	return reply.Content
}

// filed is the help request a conversation filed and its escalation.
type filed struct {
	help, esc int64
	urgent    bool
	at        time.Time
}

func (w *helpWorld) filedBy(c conversation) filed {
	w.t.Helper()
	var f filed
	require.NoError(w.t, w.pool.QueryRow(w.ctx, `
		SELECT h.id, e.id, e.urgent, h.created_at FROM help_request h JOIN escalation e ON e.help_request_id = h.id
		WHERE h.phone = $1`, c.phone).Scan(&f.help, &f.esc, &f.urgent, &f.at), "%s: one help request and its escalation", c)
	return f
}

// pass makes a dispatcher pass at the clock's time.
func (w *helpWorld) pass() {
	w.t.Helper()
	st, err := w.disp.Pass(w.ctx)
	require.NoError(w.t, err)
	require.True(w.t, st.Locked)
}

// received waits (wall clock) for the fake Twilio to hold an SMS to to about escalation esc.
func (w *helpWorld) received(to care.Phone, esc int64) bool {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	ref := fmt.Sprintf("#%d:", esc)
	for {
		for _, m := range w.fake.Messages(string(to)) {
			if strings.Contains(m.Body, ref) {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// toAny reports whether any staff phone got an SMS about escalation esc (checked once, after
// a wait for the workers).
func (w *helpWorld) toAny(esc int64) []string {
	var got []string
	for _, to := range append([]care.Phone{w.manager, w.supervisor, w.duty}, w.roster[:]...) {
		for _, m := range w.fake.Messages(string(to)) {
			if strings.Contains(m.Body, fmt.Sprintf("#%d:", esc)) {
				got = append(got, m.To)
			}
		}
	}
	return got
}

// generate lists the conversations of one time of day: every channel and kind of caller,
// in danger or not, the category turning so each channel meets every one; and voice 0 with
// each way a dial can go unanswered.
func generate(turn int) []*conversation {
	var out []*conversation
	n := turn
	for _, channel := range []string{"sms", "android", "ussd", "voice"} {
		for _, caller := range []string{"registered", "orphaned", "staffed", "empty", "none"} {
			for _, danger := range []bool{false, true} {
				n++
				out = append(out, &conversation{channel: channel, caller: caller, danger: danger,
					category: n%len(care.HelpCategories) + 1})
			}
		}
	}
	for _, caller := range []string{"registered", "none"} {
		for _, status := range []string{"no-answer", "busy", "failed", "canceled"} {
			out = append(out, &conversation{channel: "voice", caller: caller, dial: status, category: 6})
		}
	}
	return out
}

var rightAway = regexp.MustCompile(`se (lien he voi ban|goi lai cho ban) ngay\.`)

// emergency is the emergency numbers in a reply: bare by SMS, named where nothing stays on
// the handset.
var emergency = regexp.MustCompile(`goi ngay 113( \(cong an\))? hoac 111( \(bao ve tre em\))?\.`)

func TestEveryCallForHelpReachesAHuman(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: the whole system")
	}
	t.Parallel()
	w := startHelpWorld(t)
	categories := map[string]map[int]bool{}
	for turn, at := range []time.Time{invariantStart, invariantStart.Add(13 * time.Hour)} { // 10:00, then 23:00
		w.clock.Set(at)
		quiet := care.DefaultQuietHours.In(at, invariantStart.Location())
		require.Equal(t, turn == 1, quiet, "the second round runs in quiet hours")
		convs := generate(turn * 3)
		for _, c := range convs {
			w.talk(c)
			if categories[c.channel] == nil {
				categories[c.channel] = map[int]bool{}
			}
			categories[c.channel][c.category] = true
		}
		w.pass()
		var urgent []*conversation
		for _, c := range convs {
			f := w.filedBy(*c)
			var to care.Phone
			switch {
			case strings.Contains(c.reply, "Can bo xa se "):
				// The case's manager, a stand-in for one who is gone, or the named commune's
				// first case manager.
				to = w.manager
				require.Contains(t, []string{"registered", "orphaned", "staffed"}, c.caller, "%s: %q", c, c.reply)
			case strings.Contains(c.reply, "Duong day ho tro se "):
				to = w.roster[0]
				require.Contains(t, []string{"empty", "none"}, c.caller, "%s: %q", c, c.reply)
			default:
				t.Fatalf("%s: the confirmation names nobody: %q", c, c.reply)
			}
			require.True(t, w.received(to, f.esc), "%s: %s got nothing about #%d; fake Twilio holds %v", c, to, f.esc, w.fake.Messages(""))
			var sentAt time.Time
			require.NoError(t, w.pool.QueryRow(w.ctx, `SELECT created_at FROM message WHERE phone = $1 AND body LIKE $2`,
				to, fmt.Sprintf("%%#%d:%%", f.esc)).Scan(&sentAt))
			require.False(t, sentAt.After(f.at.Add(w.sla.For(f.urgent))), "%s: sent at %s, within the SLA of %s", c, sentAt, f.at)
			if c.dial != "" {
				require.Equal(t, to, c.dialed, "%s: 0 rang the first person on the ladder, who then hears of the call-back request", c)
			}
			require.Equal(t, f.urgent, rightAway.MatchString(c.reply), "%s: right away only on the urgent ladder: %q", c, c.reply)
			require.Equal(t, c.danger, emergency.MatchString(c.reply),
				"%s: the emergency numbers only in danger: %q", c, c.reply)
			if c.dial != "" {
				require.Contains(t, c.reply, "Chua co ai nghe may. Yeu cau goi lai", "%s: the caller hears the dial went unanswered", c)
			}
			if f.urgent {
				urgent = append(urgent, c)
			}
		}
		require.NotEmpty(t, urgent)
		// Nobody acknowledges: each urgent request climbs once its SLA passes.
		w.clock.Set(at.Add(w.sla.Urgent + time.Second))
		w.pass()
		for _, c := range urgent {
			next := w.supervisor
			if strings.Contains(c.reply, "Duong day ho tro") {
				next = w.roster[1]
			}
			require.True(t, w.received(next, w.filedBy(*c).esc), "%s: the urgent ladder climbs to %s", c, next)
		}
	}
	for channel, seen := range categories {
		require.Len(t, seen, len(care.HelpCategories), "%s meets every category", channel)
	}

	// Dropped after the category, on every channel: reported as started, not finished, to
	// the same person a finished request would reach, once the session cannot go on.
	w.clock.Set(invariantStart.Add(25 * time.Hour))
	var drops []*conversation
	for _, channel := range []string{"sms", "android", "ussd", "voice"} {
		for _, caller := range []string{"registered", "none"} {
			c := &conversation{channel: channel, caller: caller, category: 1}
			w.drop(c)
			drops = append(drops, c)
		}
	}
	w.clock.Set(w.clock.Now().Add(flows.DefaultSessionTTL + time.Second))
	w.pass()
	for _, c := range drops {
		var esc int64
		require.Eventually(t, func() bool {
			return w.pool.QueryRow(w.ctx, `SELECT e.id FROM help_request h JOIN escalation e ON e.help_request_id = h.id
				WHERE h.phone = $1 AND h.unfinished`, c.phone).Scan(&esc) == nil
		}, 30*time.Second, 20*time.Millisecond, "%s: reported unfinished", c)
		to := w.manager
		if c.caller == "none" {
			to = w.roster[0]
		}
		require.True(t, w.received(to, esc), "%s: %s hears of the unfinished request", c, to)
		for _, m := range w.fake.Messages(string(to)) {
			if strings.Contains(m.Body, fmt.Sprintf("#%d:", esc)) {
				require.Contains(t, m.Body, "(moi bat dau, chua xong)")
			}
		}
		require.Empty(t, w.fake.Messages(string(c.phone)), "%s: the caller is never called back automatically", c)
		require.Empty(t, w.fake.Calls(string(c.phone)), "%s: the caller is never called back automatically", c)
	}

	// Nobody on call: the requests of callers of no staffed commune reach nobody; they are
	// saved, counted and logged, and nobody is promised.
	w.exec(`UPDATE case_manager SET active = false WHERE commune IS NULL`)
	w.clock.Set(invariantStart.Add(26 * time.Hour))
	var lost []*conversation
	for _, c := range generate(1) {
		if c.caller == "empty" || c.caller == "none" {
			w.talk(c)
			lost = append(lost, c)
		}
	}
	w.pass()
	w.clock.Set(w.clock.Now().Add(25 * time.Hour))
	w.pass()
	for _, c := range lost {
		require.Contains(t, c.reply, "Hien chua co can bo truc", "%s: %q", c, c.reply)
		require.NotRegexp(t, `se (lien he|goi lai)`, c.reply, "%s: no promise of a call", c)
		require.Regexp(t, emergency, c.reply, "%s: nobody to tell, so the emergency numbers are the route", c)
		require.Equal(t, 1, strings.Count(c.reply, "goi ngay"), "%s: said once: %q", c, c.reply)
	}
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, w.pool.QueryRow(w.ctx, `SELECT count(*) FROM escalation WHERE unrouted_at IS NOT NULL`).Scan(&n))
		return n == len(lost)
	}, 30*time.Second, 50*time.Millisecond, "every lost request is marked unrouted by the worker that found nobody")
	for _, c := range lost {
		require.Empty(t, w.toAny(w.filedBy(*c).esc), "%s: no staff phone", c)
	}
	metrics := w.get("/metrics")
	require.Contains(t, metrics, fmt.Sprintf("caseline_help_requests_unrouted %d\n", len(lost)))
	require.Contains(t, w.get("/readyz"), `"postgresql":"ok"`, "/readyz stays 200")
	require.Contains(t, w.logs.String(), `"message":"nobody on the escalation ladder to tell"`)
	require.Contains(t, w.logs.String(), `"level":"error"`)

	// A duty officer goes on call: within care.RerouteEvery every lost request reaches them,
	// as news (not "nobody took it"), and none is counted unrouted any more.
	late := w.newPhone()
	w.exec(`INSERT INTO case_manager (name, phone, role) VALUES ('Trực muộn', $1, 'duty_officer')`, late)
	w.clock.Set(w.clock.Now().Add(care.RerouteEvery))
	w.pass()
	for _, c := range lost {
		esc := w.filedBy(*c).esc
		require.True(t, w.received(late, esc), "%s: the duty officer on call now hears of #%d", c, esc)
		for _, m := range w.fake.Messages(string(late)) {
			if strings.Contains(m.Body, fmt.Sprintf("#%d:", esc)) {
				require.NotContains(t, m.Body, "chua ai nhan", "%s: a first notice", c)
			}
		}
	}
	require.Eventually(t, func() bool {
		return strings.Contains(w.get("/metrics"), "caseline_help_requests_unrouted 0\n")
	}, 30*time.Second, 50*time.Millisecond, "the unrouted gauge goes down")
}

// get fetches a gateway path and requires 200.
func (w *helpWorld) get(path string) string {
	w.t.Helper()
	res, err := http.Get(w.base + path)
	require.NoError(w.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(w.t, err)
	require.Equal(w.t, http.StatusOK, res.StatusCode, "%s: %s", path, body)
	return string(body)
}
