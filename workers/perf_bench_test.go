package workers_test

// Issue 4's performance targets, one benchmark each, end to end through the dispatcher, a
// real asynq server on a leased Redis database, real PostgreSQL, and a fake Twilio over HTTP:
//
//	go test ./workers -run '^$' -bench 'Fanout|RateLimit|DeadlineLatency|RedisMemory' -benchtime 1x
//
// The fake Twilio is an httptest server in this file answering Twilio-shaped JSON (201
// {"sid":"SM…","status":"queued"}) in front of the tests' fake provider (sender); the
// sender here is a minimal care.Sender doing one HTTP POST per message (form-encoded
// To/Body, as Twilio's REST API takes them): the workers may not import gateway/twilio, and
// simulators/faketwilio validates and answers whole resources, work these benchmarks should
// not time. Sizes come from the
// environment: FANOUT (100000), RATE (200) and RATE_SECONDS (10), CHECKINS (1000) and
// CHECKIN_SPREAD (20s), SCHEDULED (1000000).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
	"github.com/caseline/caseline/workers"
)

// fakeTwilio is a Twilio REST API in front of the tests' fake provider (sender): it
// accepts every message and call, and the provider notes when each arrived, with the number
// and body only when keep (the latency benchmark reads them).
type fakeTwilio struct {
	srv  *httptest.Server
	sent *sender
}

func newFakeTwilio(tb testing.TB, keep bool) *fakeTwilio {
	f := &fakeTwilio{sent: &sender{clock: care.SystemClock{}}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var (
			to   care.Phone
			body string
		)
		if keep {
			to, body = care.Phone(r.PostForm.Get("To")), r.PostForm.Get("Body")
		}
		sid, err := f.sent.deliver(strings.HasSuffix(r.URL.Path, "/Calls.json"), to, body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid":"%s","status":"queued"}`, sid)
	}))
	tb.Cleanup(f.srv.Close)
	return f
}

// httpSender is a minimal Twilio REST sender: one POST per message, the sid from the answer.
type httpSender struct {
	base   string
	client *http.Client
}

func newHTTPSender(base string) *httpSender {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 1024, 1024
	return &httpSender{base: base + "/2010-04-01/Accounts/AC123", client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func (s *httpSender) post(ctx context.Context, path string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("AC123", "token")
	resp, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return "", care.NewProviderError(care.ProviderTwilio, resp.StatusCode, "", string(b), resp.StatusCode >= 500 || resp.StatusCode == 429)
	}
	var out struct {
		SID string `json:"sid"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	return out.SID, nil
}

func (s *httpSender) SendSMS(ctx context.Context, to care.Phone, body string) (string, error) {
	return s.post(ctx, "/Messages.json", url.Values{"To": {to.E164()}, "From": {"+15005550006"}, "Body": {body}})
}

func (s *httpSender) Call(ctx context.Context, to care.Phone, answerURL string) (string, error) {
	return s.post(ctx, "/Calls.json", url.Values{"To": {to.E164()}, "From": {"+15005550006"}, "Url": {answerURL}})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchWorld is one benchmark's database, Redis database, fake Twilio and running workers.
type benchWorld struct {
	pool  *pgxpool.Pool
	st    *store.Store
	opt   asynq.RedisClientOpt
	fake  *fakeTwilio
	deps  workers.Deps
	queue *workers.Queue
}

func newBenchWorld(b *testing.B, keep bool) *benchWorld {
	w := &benchWorld{pool: storetest.NewPool(b), opt: redisDB(b), fake: newFakeTwilio(b, keep)}
	w.st = store.New(w.pool, care.SystemClock{})
	client := asynq.NewClient(w.opt)
	b.Cleanup(func() { client.Close() })
	w.queue = workers.NewQueue(client, 0)
	w.deps = workers.Deps{
		Store:            w.st,
		Senders:          map[care.Provider]care.Sender{care.ProviderTwilio: newHTTPSender(w.fake.srv.URL)},
		Clock:            care.SystemClock{},
		Log:              zerolog.Nop(),
		PublicBaseURL:    "http://127.0.0.1",
		Enqueuer:         w.queue,
		DispatchInterval: time.Second,
		// The benchmarks run on the wall clock at any hour; quiet hours (21:00–07:00 in
		// Vietnam, 14:00–24:00 UTC) would hold every reminder back for half the day.
		// Start == End means none (the zero value means the default).
		Reminders: care.ReminderPlan{Quiet: care.QuietHours{Start: 1, End: 1}},
	}
	return w
}

// run starts the asynq server and the dispatcher; stop ends both.
func (w *benchWorld) run(b *testing.B) (stop func()) {
	mux, err := workers.NewMux(w.deps)
	require.NoError(b, err)
	d, err := workers.NewDispatcher(w.deps, w.queue)
	require.NoError(b, err)
	srv := asynq.NewServer(w.opt, workers.ServerConfig(zerolog.Nop(), benchConcurrency()))
	require.NoError(b, srv.Start(mux))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	return func() {
		cancel()
		<-done
		srv.Shutdown()
	}
}

// waitFor waits until the fake Twilio has n messages, failing after limit.
func (w *benchWorld) waitFor(b *testing.B, n int, limit time.Duration) {
	began := time.Now()
	for w.fake.sent.count() < n {
		if time.Since(began) > limit {
			b.Fatalf("only %d of %d messages reached the fake Twilio in %s", w.fake.sent.count(), n, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// trace prints every half second where the rows are, until done closes (TRACE=1).
func (w *benchWorld) trace(done chan struct{}) {
	began := time.Now()
	for {
		select {
		case <-done:
			return
		case <-time.After(500 * time.Millisecond):
		}
		var pend, queued, sending, sent int64
		_ = w.pool.QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM reminder WHERE status = 'pending'),
			count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'sending'),
			count(*) FILTER (WHERE status = 'sent') FROM message`).Scan(&pend, &queued, &sending, &sent)
		fmt.Fprintf(os.Stderr, "%5.1fs fake %d; reminders pending %d; messages queued %d sending %d sent %d\n",
			time.Since(began).Seconds(), w.fake.sent.count(), pend, queued, sending, sent)
	}
}

// people writes n deaf people (SMS) of commune B1 with open cases of one case manager.
func (w *benchWorld) people(b *testing.B, n int) { benchPeople(b, w.pool, n) }

// benchPeople writes n deaf people (SMS) of commune B1 with open cases of one case manager,
// in two statements: a benchmark's world of thousands, which builders row by row would
// take longer to write than the benchmark to run.
func benchPeople(b *testing.B, pool *pgxpool.Pool, n int) {
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO commune (code, name) VALUES ('B1', 'Bench')`)
	require.NoError(b, err)
	_, err = pool.Exec(ctx, `
		WITH m AS (INSERT INTO case_manager (name, phone, commune, role) VALUES ('M', '+84900000001', 'B1', 'case_manager') RETURNING id),
		p AS (INSERT INTO person (phone, name, commune, profile)
			SELECT '+849' || lpad(g::text, 8, '0'), 'P' || g, 'B1', '{deaf}' FROM generate_series(1, $1) g RETURNING id)
		INSERT INTO care_case (person_id, manager_id, commune) SELECT p.id, m.id, 'B1' FROM p, m`, n)
	require.NoError(b, err)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// BenchmarkFanout: FANOUT (default 100,000) reminders due at once, rate limits off, reach the
// fake Twilio. Target: ≥ 2,000 messages/s, from the workers' start to the last arrival.
func BenchmarkFanout(b *testing.B) {
	n := envInt("FANOUT", 100000)
	for range b.N {
		b.StopTimer()
		w := newBenchWorld(b, false)
		w.people(b, n)
		now := time.Now()
		_, err := w.pool.Exec(context.Background(), `
			WITH a AS (INSERT INTO appointment (case_id, person_id, at, place)
				SELECT id, person_id, $1::timestamptz + interval '2 hours', 'Tram y te xa' FROM care_case RETURNING id)
			INSERT INTO reminder (appointment_id, version, offset_minutes, due_at) SELECT a.id, 1, 120, $1 FROM a`, now)
		require.NoError(b, err)
		_, err = w.pool.Exec(context.Background(), `VACUUM ANALYZE`)
		require.NoError(b, err)
		b.StartTimer()
		began := time.Now()
		stop := w.run(b)
		if os.Getenv("TRACE") != "" {
			traced := make(chan struct{})
			defer close(traced)
			go w.trace(traced)
		}
		w.waitFor(b, n, 10*time.Minute)
		elapsed := time.Since(began)
		b.StopTimer()
		stop()
		rate := float64(n) / elapsed.Seconds()
		b.ReportMetric(rate, "msgs/s")
		var sent int64
		require.NoError(b, w.pool.QueryRow(context.Background(), `SELECT count(*) FROM message WHERE status = 'sent'`).Scan(&sent))
		fmt.Fprintf(os.Stderr, "fanout: %d reminders reached the fake Twilio in %s: %.0f msgs/s (target >= 2000: %s); %d rows sent; fake got %d; load %s\n",
			n, elapsed.Round(time.Millisecond), rate, verdict(rate >= 2000), sent, w.fake.sent.count(), loadAverage())
	}
}

// BenchmarkRateLimit: RATE×RATE_SECONDS messages queued at once under a limit of RATE/s.
// Target: no 1-second window at the fake Twilio holds more than RATE, and the average rate
// (first to last arrival) is within 5 % of RATE.
func BenchmarkRateLimit(b *testing.B) {
	r := envInt("RATE", 200)
	n := r * envInt("RATE_SECONDS", 10)
	for range b.N {
		b.StopTimer()
		w := newBenchWorld(b, false)
		w.deps.RateLimit = float64(r)
		rdb := redis.NewClient(&redis.Options{Addr: w.opt.Addr, DB: w.opt.DB})
		b.Cleanup(func() { rdb.Close() })
		w.deps.Redis = rdb
		w.people(b, n)
		_, err := w.pool.Exec(context.Background(), `
			INSERT INTO message (direction, channel, provider, phone, person_id, body, status, idempotency_key, next_attempt_at)
			SELECT 'out', 'sms', 'twilio', p.phone, p.id, 'Caseline test', 'queued', 'bench:' || p.id, now() FROM person p`)
		require.NoError(b, err)
		b.StartTimer()
		stop := w.run(b)
		w.waitFor(b, n, 10*time.Minute+time.Duration(n/r)*time.Second)
		b.StopTimer()
		stop()
		got := w.fake.sent.all()
		times := make([]time.Time, len(got))
		for i, a := range got {
			times[i] = a.Wall
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		// The most arrivals in any window [t, t+1s): starting each window at an arrival finds
		// the maximum.
		most, j := 0, 0
		for i := range times {
			for j < len(times) && times[j].Sub(times[i]) < time.Second {
				j++
			}
			most = max(most, j-i)
		}
		span := times[len(times)-1].Sub(times[0])
		avg := float64(len(times)-1) / span.Seconds()
		off := (avg - float64(r)) / float64(r) * 100
		ok := most <= r && off >= -5 && off <= 5
		b.ReportMetric(avg, "msgs/s")
		b.ReportMetric(float64(most), "max_per_1s")
		fmt.Fprintf(os.Stderr, "rate limit %d/s: %d messages in %s, average %.1f/s (%+.1f %%), most in any 1 s window %d (target <= %d, average within 5 %%: %s); load %s\n",
			r, len(times), span.Round(time.Millisecond), avg, off, most, r, verdict(ok), loadAverage())
	}
}

// BenchmarkDeadlineLatency: CHECKINS (default 1000) unanswered check-ins whose deadlines fall
// over CHECKIN_SPREAD (default 20 s) while the workers run, on the real clock. Each opens an
// escalation whose SMS tells the case manager. Target: p99 from deadline to the SMS reaching
// the fake Twilio ≤ 3 s.
func BenchmarkDeadlineLatency(b *testing.B) {
	n := envInt("CHECKINS", 1000)
	spread := time.Duration(envInt("CHECKIN_SPREAD", 20)) * time.Second
	for range b.N {
		b.StopTimer()
		w := newBenchWorld(b, true)
		w.people(b, n)
		first := time.Now().Add(5 * time.Second)
		_, err := w.pool.Exec(context.Background(), `
			WITH s AS (INSERT INTO checkin_schedule (case_id, weekday, minute_of_day, active)
				SELECT id, 1, 540, false FROM care_case RETURNING id, case_id)
			INSERT INTO checkin (schedule_id, case_id, person_id, due_at, retry_at, deadline_at, status)
			SELECT s.id, k.id, k.person_id, d - interval '48 hours', d - interval '24 hours', d, 'retried'
			FROM s JOIN care_case k ON k.id = s.case_id,
				LATERAL (SELECT $1::timestamptz + (k.id % $2) * ($3::float8 / $2) * interval '1 second' AS d) dd`,
			first, n, spread.Seconds())
		require.NoError(b, err)
		b.StartTimer()
		stop := w.run(b)
		w.waitFor(b, n, time.Minute+spread)
		b.StopTimer()
		stop()
		// The case manager's SMS names the escalation: "Caseline #42: …".
		rows, err := w.pool.Query(context.Background(), `SELECT e.id, c.deadline_at FROM escalation e JOIN checkin c ON c.id = e.checkin_id`)
		require.NoError(b, err)
		deadline := map[string]time.Time{}
		for rows.Next() {
			var (
				id int64
				at time.Time
			)
			require.NoError(b, rows.Scan(&id, &at))
			deadline[strconv.FormatInt(id, 10)] = at
		}
		require.NoError(b, rows.Err())
		ref := regexp.MustCompile(`^Caseline #(\d+):`)
		var lat []time.Duration
		for _, a := range w.fake.sent.all() {
			m := ref.FindStringSubmatch(a.Body)
			require.NotNil(b, m, a.Body)
			d, ok := deadline[m[1]]
			require.True(b, ok, a.Body)
			lat = append(lat, a.Wall.Sub(d))
		}
		require.Len(b, lat, n)
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
		p99 := pct(0.99)
		b.ReportMetric(float64(p99.Milliseconds()), "p99_ms")
		b.ReportMetric(float64(pct(0.5).Milliseconds()), "p50_ms")
		fmt.Fprintf(os.Stderr, "deadline latency: %d check-ins over %s: p50 %s p99 %s max %s (target p99 <= 3s: %s); load %s\n",
			n, spread, pct(0.5).Round(time.Millisecond), p99.Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond),
			verdict(p99 <= 3*time.Second), loadAverage())
	}
}

// BenchmarkRedisMemory: SCHEDULED (default 1,000,000) reminders due over the next 30 days
// (500,000 appointments with a 24 h and a 2 h reminder). A dispatcher pass moves what falls
// in its window into Redis. Target: ≤ 50 MB of Redis. INFO's used_memory is per instance,
// not per database, so the figure is its delta around the pass (other tests sharing the
// instance add noise), cross-checked by MEMORY USAGE summed over the keys of the leased
// database.
func BenchmarkRedisMemory(b *testing.B) {
	n := envInt("SCHEDULED", 1000000)
	for range b.N {
		b.StopTimer()
		ctx := context.Background()
		w := newBenchWorld(b, false)
		w.people(b, 10000)
		now := time.Now()
		_, err := w.pool.Exec(ctx, `
			WITH a AS (INSERT INTO appointment (case_id, person_id, at, place)
				SELECT k.id, k.person_id, $1::timestamptz + interval '24 hours 1 minute' + (g * (29.0 * 86400 / $2)) * interval '1 second', 'X'
				FROM generate_series(1, $2) g JOIN care_case k ON k.id = (SELECT min(id) FROM care_case) + g % 10000
				RETURNING id, at)
			INSERT INTO reminder (appointment_id, version, offset_minutes, due_at)
			SELECT a.id, 1, o, a.at - o * interval '1 minute' FROM a, (VALUES (1440), (120)) v(o)`, now, n/2)
		require.NoError(b, err)
		var count int64
		require.NoError(b, w.pool.QueryRow(ctx, `SELECT count(*) FROM reminder WHERE status = 'pending'`).Scan(&count))
		_, err = w.pool.Exec(ctx, `VACUUM ANALYZE`)
		require.NoError(b, err)
		rdb := redis.NewClient(&redis.Options{Addr: w.opt.Addr, DB: w.opt.DB})
		defer rdb.Close()
		usedMemory := func() int64 {
			info, err := rdb.Info(ctx, "memory").Result()
			require.NoError(b, err)
			for line := range strings.Lines(info) {
				if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
					n, err := strconv.ParseInt(v, 10, 64)
					require.NoError(b, err)
					return n
				}
			}
			b.Fatal("no used_memory in INFO memory")
			return 0
		}
		d, err := workers.NewDispatcher(w.deps, w.queue)
		require.NoError(b, err)
		before := usedMemory()
		b.StartTimer()
		st, err := d.Pass(ctx)
		b.StopTimer()
		require.NoError(b, err)
		after := usedMemory()
		var keys, bytes int64
		iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
		for iter.Next(ctx) {
			u, err := rdb.MemoryUsage(ctx, iter.Val()).Result()
			require.NoError(b, err)
			keys++
			bytes += u
		}
		require.NoError(b, iter.Err())
		mb := float64(after-before) / (1 << 20)
		b.ReportMetric(mb, "redis_MB")
		b.ReportMetric(float64(bytes)/(1<<20), "db_keys_MB")
		fmt.Fprintf(os.Stderr, "redis memory: %d reminders over 30 days; a pass queued %d items; used_memory delta %.3f MB (instance-wide), keys of the leased DB %d using %.3f MB (target <= 50 MB: %s); load %s\n",
			count, st.Enqueued, mb, keys, float64(bytes)/(1<<20), verdict(mb <= 50 && float64(bytes)/(1<<20) <= 50), loadAverage())

		// The worst a window can hold: 100,000 of them due at once (a backlog after an
		// outage) are a task per batch of ids, not per reminder.
		_, err = w.pool.Exec(ctx, `UPDATE reminder SET due_at = $1 WHERE id < (SELECT min(id) FROM reminder) + 100000`, now)
		require.NoError(b, err)
		before = usedMemory()
		st, err = d.Pass(ctx)
		require.NoError(b, err)
		after = usedMemory()
		fmt.Fprintf(os.Stderr, "redis memory, backlog: 100000 reminders due at once; a pass queued %d items; used_memory delta %.3f MB (instance-wide)\n",
			st.Enqueued, float64(after-before)/(1<<20))
		b.ReportMetric(float64(after-before)/(1<<20), "backlog_redis_MB")
	}
}
