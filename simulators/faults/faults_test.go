package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/simulators/phone"
)

// TestFaults runs every scenario on one PostgreSQL and one Redis of its own, each scenario on
// a fresh database.
func TestFaults(t *testing.T) {
	if os.Getenv("FAULTS") == "" {
		t.Skip("the fault suite runs with FAULTS=short (make test) or FAULTS=long (make faults)")
	}
	dir := t.TempDir()
	bin = filepath.Join(dir, "caseline")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/caseline")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	pg := startPostgres(t)
	rs := startRedis(t)
	fmt.Printf("fault suite (%s): PostgreSQL %s, Redis %s\n", map[bool]string{true: "long", false: "short"}[long()], pg.port, rs.addr)

	t.Run("duplicate webhooks", func(t *testing.T) { duplicates(newWorld(t, pg, rs)) })
	t.Run("kill serve", func(t *testing.T) { killServe(newWorld(t, pg, rs)) })
	t.Run("kill work", func(t *testing.T) { killWork(newWorld(t, pg, rs), 0) })
	t.Run("kill work rate limited", func(t *testing.T) { killWork(newWorld(t, pg, rs), 25) })
	t.Run("redis flushall", func(t *testing.T) { flushAll(newWorld(t, pg, rs)) })
	t.Run("redis stop start", func(t *testing.T) { redisStop(newWorld(t, pg, rs)) })
	t.Run("postgresql restart fast", func(t *testing.T) {
		outage(newWorld(t, pg, rs), "postgresql restart -m fast", pg.restartFast)
	})
	t.Run("postgresql kill postmaster", func(t *testing.T) {
		outage(newWorld(t, pg, rs), "kill -9 of the postmaster", func() {
			pg.killPostmaster()
			time.Sleep(500 * time.Millisecond)
			pg.start()
		})
	})
	t.Run("replicas", func(t *testing.T) { replicas(newWorld(t, pg, rs)) })
}

// figures prints a scenario's line.
func figures(name string, requests, acked, saved, lost, dup int, extra string) {
	fmt.Printf("%-34s requests %6d  acknowledged %6d  saved %6d  lost %d  duplicated %d  %s\n",
		name, requests, acked, saved, lost, dup, extra)
}

// traffic is what a load sent and how it was answered.
type traffic struct {
	mu     sync.Mutex
	sent   int
	acked  []string       // provider ids answered 200
	status map[int]int    // answers by status; 0 is no answer (connection refused, reset)
	bodies map[string]int // answers' bodies by provider id, for repeats
}

func newTraffic() *traffic { return &traffic{status: map[int]int{}, bodies: map[string]int{}} }

func (tr *traffic) note(id string, status int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.sent++
	tr.status[status]++
	if status == http.StatusOK {
		tr.acked = append(tr.acked, id)
	}
}

// client is the load's HTTP client: short time-outs, as a provider's.
var client = &http.Client{Timeout: 15 * time.Second}

// post sends a form and returns the status (0 when nothing answered) and body.
func post(req *http.Request) (int, string) {
	res, err := client.Do(req)
	if err != nil {
		return 0, ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// sms is a signed Twilio SMS webhook to serve s.
func sms(s *proc, sid, from, body string) *http.Request {
	form := url.Values{"MessageSid": {sid}, "From": {from}, "To": {"+84900000000"}, "Body": {body}}
	req, _ := http.NewRequest(http.MethodPost, s.base()+"/twilio/sms", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", phone.Sign(authToken, s.base()+"/twilio/sms", form))
	return req
}

// androidPoll is a cht-gateway poll carrying one inbound SMS.
func androidPoll(s *proc, id, from, content string) *http.Request {
	b, _ := json.Marshal(map[string]any{"messages": []map[string]any{{"id": id, "from": from, "content": content}}})
	req, _ := http.NewRequest(http.MethodPost, s.base()+"/android/sms", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("gateway", androidPW)
	return req
}

// load sends SMS webhooks from conc senders to the serves in turn, and Android polls from
// one more (each SMS sent again until a poll is answered 200, as the app does), until ctx
// ends.
func (w *world) load(ctx context.Context, serves []*proc, conc int, prefix string) (smsT, androidT *traffic, wait func()) {
	smsT, androidT = newTraffic(), newTraffic()
	texts := []string{"MENU", "1", "2", "GIUP", "3", "TT", "4", "Dang ky"}
	var n atomic.Int64
	var wg sync.WaitGroup
	for g := range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := n.Add(1)
				s := serves[int(i)%len(serves)]
				sid := fmt.Sprintf("SM%s%08d", prefix, i)
				from := fmt.Sprintf("+8497%07d", (int(i)*7+g)%300)
				status, _ := post(sms(s, sid, from, texts[int(i)%len(texts)]).WithContext(context.WithoutCancel(ctx)))
				smsT.note(sid, status)
				if status == 0 {
					time.Sleep(20 * time.Millisecond) // serve is down: don't spin
				}
			}
		})
	}
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			id := fmt.Sprintf("and-%s-%06d", prefix, i)
			from := fmt.Sprintf("+8496%07d", i%50)
			for ctx.Err() == nil {
				status, _ := post(androidPoll(serves[i%len(serves)], id, from, texts[i%len(texts)]))
				androidT.note(id, status)
				if status == http.StatusOK {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	})
	return smsT, androidT, wg.Wait
}

// check counts, once the spools are empty, which acknowledged messages were saved, prints the
// figures and fails on a loss, a duplicate or a 500.
func (w *world) check(name, provider string, tr *traffic) {
	w.t.Helper()
	var saved int
	require.NoError(w.t, w.pool.QueryRow(context.Background(), `
		SELECT count(DISTINCT provider_id) FROM message WHERE direction = 'in' AND provider = $1 AND provider_id = ANY($2)`,
		provider, tr.acked).Scan(&saved))
	dup := w.int(`SELECT count(*) - count(DISTINCT provider_id) FROM message WHERE direction = 'in' AND provider = $1`, provider)
	acked := len(uniq(tr.acked))
	figures(name+" ("+provider+")", tr.sent, acked, saved, acked-saved, dup,
		fmt.Sprintf("(answers by status %v)", tr.status))
	require.Equal(w.t, acked, saved, "every acknowledged message is saved")
	require.Zero(w.t, dup)
	require.Zero(w.t, tr.status[http.StatusInternalServerError], "no 500")
}

func uniq(ids []string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// duplicates sends every channel's webhook twice: one row each, the same answer.
func duplicates(w *world) {
	s := w.serve()
	type hook struct {
		name, provider, id string
		req                func() *http.Request
	}
	ussd := func() *http.Request {
		form := url.Values{"sessionId": {"ATdup1"}, "serviceCode": {"*123#"}, "phoneNumber": {"+84987000001"}, "networkCode": {"45201"}, "text": {""}}
		req, _ := http.NewRequest(http.MethodPost, s.base()+"/ussd/africastalking?token="+ussdToken, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}
	voice := func() *http.Request {
		form := url.Values{"CallSid": {"CAdup1"}, "From": {"+84987000002"}, "To": {"+84900000000"}, "Direction": {"inbound"}}
		req, _ := http.NewRequest(http.MethodPost, s.base()+"/twilio/voice", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", phone.Sign(authToken, s.base()+"/twilio/voice", form))
		return req
	}
	hooks := []hook{
		{"sms", "twilio", "SMdup1", func() *http.Request { return sms(s, "SMdup1", "+84987000003", "MENU") }},
		{"ussd", "africastalking", "ATdup1:0", ussd},
		{"voice", "twilio", "CAdup1:0", voice},
		{"android", "android", "and-dup-1", func() *http.Request { return androidPoll(s, "and-dup-1", "+84987000004", "MENU") }},
	}
	requests, acked, saved, dups := 0, 0, 0, 0
	for _, h := range hooks {
		first, a := post(h.req())
		second, b := post(h.req())
		requests += 2
		require.Equal(w.t, http.StatusOK, first, "%s: %s", h.name, a)
		require.Equal(w.t, http.StatusOK, second, "%s: %s", h.name, b)
		acked += 2
		if h.name != "android" { // a poll hands the reply out once
			require.Equal(w.t, canonical(a), canonical(b), "%s: the same answer", h.name)
		}
		n := w.int(`SELECT count(*) FROM message WHERE direction = 'in' AND provider = $1 AND provider_id = $2`, h.provider, h.id)
		require.Equal(w.t, 1, n, "%s: one row", h.name)
		saved++
		dups += n - 1
	}
	figures("duplicate webhooks (4 channels)", requests, acked, saved, 0, dups, "(each sent twice)")
}

// seconds is how long a load runs.
func seconds() time.Duration { return time.Duration(size(3, 20)) * time.Second }

// killServe kills serve (SIGKILL) in the middle of a load and starts it again.
func killServe(w *world) {
	s := w.serve()
	ctx, cancel := context.WithTimeout(context.Background(), seconds())
	defer cancel()
	smsT, androidT, wait := w.load(ctx, []*proc{s}, 8, "k")
	time.Sleep(seconds() / 2)
	s.kill()
	time.Sleep(200 * time.Millisecond)
	s.start()
	wait()
	w.drained(s)
	w.check("kill -9 of serve under load", "twilio", smsT)
	w.check("kill -9 of serve under load", "android", androidT)
}

// outage breaks PostgreSQL in the middle of a load: acknowledged messages are spooled and
// replayed, none lost.
func outage(w *world, name string, fault func()) {
	s := w.serve()
	ctx, cancel := context.WithTimeout(context.Background(), seconds()+2*time.Second)
	defer cancel()
	smsT, androidT, wait := w.load(ctx, []*proc{s}, 8, "o")
	time.Sleep(seconds() / 2)
	fault()
	wait()
	spooled := s.metric("caseline_spool_written_total")
	w.drained(s)
	w.check(name+" under load", "twilio", smsT)
	w.check(name+" under load", "android", androidT)
	fmt.Printf("%-34s spooled %.0f, replayed %.0f\n", "", spooled, s.metric("caseline_spool_replayed_total"))
}

// seedPeople writes n deaf people (SMS) with open cases of one case manager, in commune F1.
func (w *world) seedPeople(n int) {
	w.exec(`INSERT INTO commune (code, name) VALUES ('F1', 'Faults') ON CONFLICT DO NOTHING`)
	w.exec(`
		WITH m AS (INSERT INTO case_manager (name, phone, commune, role) VALUES ('M', '+84900000001', 'F1', 'case_manager') RETURNING id),
		p AS (INSERT INTO person (phone, name, commune, profile, consent_at)
			SELECT '+8490' || lpad(g::text, 7, '0'), 'P' || g, 'F1', '{deaf}', now() FROM generate_series(1, $1) g RETURNING id)
		INSERT INTO care_case (person_id, manager_id, commune) SELECT p.id, m.id, 'F1' FROM p, m`, n)
}

// seedReminders makes one reminder due now for each person.
func (w *world) seedReminders() {
	w.exec(`
		WITH a AS (INSERT INTO appointment (case_id, person_id, at, place)
			SELECT id, person_id, now() + interval '2 hours', 'Tram y te xa' FROM care_case RETURNING id)
		INSERT INTO reminder (appointment_id, version, offset_minutes, due_at) SELECT a.id, 1, 120, now() FROM a`)
}

// seedCheckIns makes one check-in due now for each person.
func (w *world) seedCheckIns() {
	w.exec(`
		WITH s AS (INSERT INTO checkin_schedule (case_id, weekday, minute_of_day, active)
			SELECT id, 1, 540, false FROM care_case RETURNING id, case_id)
		INSERT INTO checkin (schedule_id, case_id, person_id, due_at, retry_at, deadline_at, status)
		SELECT s.id, k.id, k.person_id, now(), now() + interval '24 hours', now() + interval '48 hours', 'pending'
		FROM s JOIN care_case k ON k.id = s.case_id`)
}

// seedEscalations opens n escalations the case manager has not been told of.
func (w *world) seedEscalations(n int) {
	w.exec(`
		INSERT INTO escalation (reason, urgent, person_id, case_id, commune, level, status, next_level_at, notified, created_at, updated_at)
		SELECT 'help_request', false, k.person_id, k.id, 'F1', 0, 'open', now() + interval '1 hour', false, now(), now()
		FROM care_case k ORDER BY k.id LIMIT $1`, n)
}

// waitDelivered waits until the provider has want distinct messages, and then settle more
// (past a killed worker's lease, TASK_TIMEOUT 3 s: a repeat would come by then); it returns
// the distinct messages and all of them.
func (w *world) waitDelivered(want int, limit, settle time.Duration) (distinct, total int) {
	w.t.Helper()
	w.eventually("all messages delivered", limit, func() (bool, string) {
		d := w.prov.delivered()
		return len(d) >= want, fmt.Sprintf("%d of %d", len(d), want)
	})
	time.Sleep(settle) // any repeat is in by then
	for _, n := range w.prov.delivered() {
		distinct++
		total += n
	}
	return distinct, total
}

// killWork kills work (SIGKILL) in the middle of a reminder fan-out: at most the sends in
// flight at the kill go twice.
func killWork(w *world, rate int) {
	n := size(150, 1000)
	if rate > 0 {
		n = size(60, 400)
	}
	w.seedPeople(n)
	w.seedReminders()
	p := w.work(rate)
	w.eventually("the fan-out is under way", time.Minute, func() (bool, string) {
		c := w.prov.count()
		return c >= n/3, fmt.Sprint(c)
	})
	at := time.Now()
	p.kill()
	atProvider := w.prov.inFlight(at, 0)
	// In flight at the kill: what the provider took (requests under way reach it within its
	// 80 ms) that the killed worker had not recorded sent. Only those can go twice.
	time.Sleep(200 * time.Millisecond)
	before := w.prov.count()
	inFlight := w.unrecorded()
	w.work(rate)
	distinct, total := w.waitDelivered(n, 3*time.Minute, 7*time.Second)
	name := "kill -9 of work mid-batch"
	if rate > 0 {
		name += fmt.Sprintf(" (limit %d/s)", rate)
	}
	figures(name, n, n, distinct, n-distinct, total-distinct,
		fmt.Sprintf("(sent before the kill %d; in flight at the kill %d: %d with the provider, the rest answered, not yet recorded)",
			before, inFlight, atProvider))
	require.Equal(w.t, n, distinct, "every reminder went")
	require.LessOrEqual(w.t, total-distinct, inFlight, "only the sends in flight repeat")
}

// unrecorded counts the messages the provider accepted whose row is not recorded sent.
func (w *world) unrecorded() int {
	w.t.Helper()
	rows, err := w.pool.Query(context.Background(), `SELECT phone || '|' || body FROM message WHERE direction = 'out' AND status = 'sent'`)
	require.NoError(w.t, err)
	sent := map[string]bool{}
	for rows.Next() {
		var k string
		require.NoError(w.t, rows.Scan(&k))
		sent[k] = true
	}
	require.NoError(w.t, rows.Err())
	n := 0
	for k := range w.prov.delivered() {
		if !sent[k] {
			n++
		}
	}
	return n
}

// flushAll wipes Redis twice while reminders, check-ins and escalations are pending.
func flushAll(w *world) {
	n, k := size(60, 400), size(10, 50)
	w.seedPeople(n)
	w.seedReminders()
	w.seedCheckIns()
	w.seedEscalations(k)
	want := 2*n + k
	w.work(0)
	w.eventually("work under way", time.Minute, func() (bool, string) { return w.prov.count() >= want/4, fmt.Sprint(w.prov.count()) })
	w.redis.flushAll()
	time.Sleep(time.Second)
	w.redis.flushAll()
	distinct, total := w.waitDelivered(want, 3*time.Minute, 2*time.Second)
	figures("redis FLUSHALL twice with work pending", want, want, distinct, want-distinct, total-distinct,
		fmt.Sprintf("(%d reminders, %d check-ins, %d escalations)", n, n, k))
	require.Equal(w.t, want, distinct)
	require.Equal(w.t, distinct, total, "nothing repeated")
}

// redisStop stops Redis for two seconds under SMS load with work pending, then starts it
// again (empty: no persistence).
func redisStop(w *world) {
	n := size(60, 400)
	w.seedPeople(n)
	w.seedReminders()
	w.seedCheckIns()
	s := w.serve()
	w.work(0)
	ctx, cancel := context.WithTimeout(context.Background(), seconds()+3*time.Second)
	defer cancel()
	smsT, androidT, wait := w.load(ctx, []*proc{s}, 4, "r")
	w.eventually("work under way", time.Minute, func() (bool, string) { return w.prov.count() >= n/4, fmt.Sprint(w.prov.count()) })
	w.redis.stop()
	time.Sleep(2 * time.Second)
	w.redis.start()
	wait()
	w.drained(s)
	w.check("redis stopped 2 s and started", "twilio", smsT)
	w.check("redis stopped 2 s and started", "android", androidT)
	// The replies to the load go through the webhook's answer; the provider sees the work.
	distinct, total := w.waitDelivered(2*n, 3*time.Minute, 2*time.Second)
	figures("redis stopped 2 s and started (work)", 2*n, 2*n, distinct, 2*n-distinct, total-distinct, "(reminders and check-ins)")
	require.Equal(w.t, 2*n, distinct)
	require.Equal(w.t, distinct, total)
}

// replicas runs two serve and two work processes: the load goes to both serves, the
// reminders through both workers under one shared rate limit.
func replicas(w *world) {
	n := size(100, 600)
	w.seedPeople(n)
	w.seedReminders()
	a, b := w.serve(), w.serve()
	w.work(100)
	w.work(100)
	ctx, cancel := context.WithTimeout(context.Background(), seconds())
	defer cancel()
	smsT, androidT, wait := w.load(ctx, []*proc{a, b}, 8, "p")
	wait()
	w.drained(a, b)
	w.check("two serve replicas", "twilio", smsT)
	w.check("two serve replicas", "android", androidT)
	distinct, total := w.waitDelivered(n, 3*time.Minute, 2*time.Second)
	figures("two work replicas (limit 100/s)", n, n, distinct, n-distinct, total-distinct, "(reminders)")
	require.Equal(w.t, n, distinct)
	require.Equal(w.t, distinct, total)
}

// canonical writes an answer with each XML element's attributes in name order (TwiML's
// attribute order varies); text that is not XML comes back as it is.
func canonical(doc string) string {
	if !strings.HasPrefix(doc, "<?xml") {
		return doc
	}
	dec := xml.NewDecoder(strings.NewReader(doc))
	var out strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return out.String()
		}
		if se, ok := tok.(xml.StartElement); ok {
			sort.Slice(se.Attr, func(i, j int) bool { return se.Attr[i].Name.Local < se.Attr[j].Name.Local })
			tok = se
		}
		fmt.Fprintf(&out, "%#v\n", xml.CopyToken(tok))
	}
}
