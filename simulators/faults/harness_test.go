package faults_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/simulators/faketwilio"
)

// Credentials the suite gives serve and work.
const (
	authToken  = "faulttoken"
	ussdToken  = "fault-ussd"
	androidPW  = "fault-android"
	accountSID = "AC123"
)

// long reports whether this is the long run (FAULTS=long).
func long() bool { return os.Getenv("FAULTS") == "long" }

// size is the short run's figure or the long one's.
func size(short, long_ int) int {
	if long() {
		return long_
	}
	return short
}

// freeAddr returns a loopback address nothing listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// postgres is a PostgreSQL cluster of the suite's own, run by pg_ctl as a separate process.
type postgres struct {
	t      *testing.T
	bin    string
	data   string
	port   string
	prefix []string // runuser -u postgres -- when root: PostgreSQL refuses to run as root
}

func startPostgres(t *testing.T) *postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	require.NotEmpty(t, bins, "PostgreSQL is not installed (/usr/lib/postgresql/*/bin); `make services` installs it")
	sort.Strings(bins)
	p := &postgres{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	var err error
	p.data, err = os.MkdirTemp("", "caseline-faults-pg-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(p.data) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		require.NoError(t, err, "running as root needs the postgres OS user")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		require.NoError(t, os.Chown(p.data, uid, gid))
		p.prefix = []string{"runuser", "-u", "postgres", "--"}
	}
	_, port, _ := net.SplitHostPort(freeAddr(t))
	p.port = port
	p.run("initdb", "-D", p.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
	p.start()
	t.Cleanup(func() { _ = p.ctl("stop", "-m", "immediate") })
	return p
}

// run runs one of PostgreSQL's programs as its user, failing the test on an error.
func (p *postgres) run(prog string, args ...string) {
	p.t.Helper()
	out, err := p.command(prog, args...).CombinedOutput()
	require.NoError(p.t, err, "%s: %s", prog, out)
}

func (p *postgres) command(prog string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, p.prefix...), filepath.Join(p.bin, prog)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = "/"
	return cmd
}

// ctl runs pg_ctl on the cluster.
func (p *postgres) ctl(args ...string) error {
	args = append([]string{"-D", p.data}, args...)
	out, err := p.command("pg_ctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func (p *postgres) opts() string {
	return fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=32MB", p.port, p.data)
}

// start starts the postmaster, retrying while a killed one's backends still hold its memory.
func (p *postgres) start() {
	p.t.Helper()
	var err error
	for range 40 {
		if err = p.ctl("start", "-w", "-t", "60", "-l", filepath.Join(p.data, "log"), "-o", p.opts()); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	p.t.Fatal(err)
}

// restartFast is `pg_ctl restart -m fast`.
func (p *postgres) restartFast() {
	p.t.Helper()
	require.NoError(p.t, p.ctl("restart", "-m", "fast", "-w", "-t", "60", "-l", filepath.Join(p.data, "log"), "-o", p.opts()))
}

// killPostmaster sends SIGKILL to the postmaster alone, as the OOM killer would.
func (p *postgres) killPostmaster() {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.data, "postmaster.pid"))
	require.NoError(p.t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	require.NoError(p.t, err)
	require.NoError(p.t, syscall.Kill(pid, syscall.SIGKILL))
}

// url is the URL of database db.
func (p *postgres) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%s/%s?sslmode=disable", p.port, db)
}

// redisServer is a Redis of the suite's own, without persistence, as a separate process.
type redisServer struct {
	t    *testing.T
	addr string
	cmd  *exec.Cmd
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	r := &redisServer{t: t, addr: freeAddr(t)}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	r.cmd = exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	r.cmd.Dir = os.TempDir()
	require.NoError(r.t, r.cmd.Start())
	rdb := r.client()
	defer rdb.Close()
	for range 100 {
		if rdb.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatal("redis did not start")
}

func (r *redisServer) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

func (r *redisServer) client() *redis.Client { return redis.NewClient(&redis.Options{Addr: r.addr}) }

func (r *redisServer) flushAll() {
	r.t.Helper()
	rdb := r.client()
	defer rdb.Close()
	require.NoError(r.t, rdb.FlushAll(context.Background()).Err())
}

// provider is the fake Twilio, on a real port, taking a random 0–40 ms to receive each
// message and as long to answer, as a real provider takes time. It notes when each request
// came and went, to tell which were in flight at a moment.
type provider struct {
	fake *faketwilio.Server
	url  string
	mu   sync.Mutex
	reqs []span
}

// span is one request to the provider: when it came and when it was answered (zero while
// it is still in flight).
type span struct{ in, out time.Time }

func startProvider(t *testing.T) *provider {
	t.Helper()
	p := &provider{fake: faketwilio.New(faketwilio.Options{AccountSID: accountSID, AuthToken: authToken})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p.url = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			p.fake.ServeHTTP(w, r)
			return
		}
		p.mu.Lock()
		i := len(p.reqs)
		p.reqs = append(p.reqs, span{in: time.Now()})
		p.mu.Unlock()
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		p.fake.ServeHTTP(w, r)
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		p.mu.Lock()
		p.reqs[i].out = time.Now()
		p.mu.Unlock()
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

// inFlight counts the requests that were with the provider at moment k, or whose answer
// came within window before it.
func (p *provider) inFlight(k time.Time, window time.Duration) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.reqs {
		if !s.in.After(k) && (s.out.IsZero() || s.out.After(k.Add(-window))) {
			n++
		}
	}
	return n
}

// delivered counts the messages the provider accepted, by recipient and text.
func (p *provider) delivered() map[string]int {
	n := map[string]int{}
	for _, m := range p.fake.Messages("") {
		n[m.To+"|"+m.Body]++
	}
	return n
}

func (p *provider) count() int { return len(p.fake.Messages("")) }

// proc is a caseline process.
type proc struct {
	t    *testing.T
	name string
	env  []string
	addr string // serve's address
	cmd  *exec.Cmd
	log  string
}

// start runs the process; serve is ready when /healthz answers.
func (p *proc) start() {
	p.t.Helper()
	p.cmd = exec.Command(bin, p.name)
	p.cmd.Env = p.env
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(p.t, err)
	p.cmd.Stderr, p.cmd.Stdout = f, f
	require.NoError(p.t, p.cmd.Start())
	f.Close()
	p.t.Cleanup(p.kill)
	if p.addr == "" {
		return
	}
	for range 300 {
		res, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("%s did not come up; log %s:\n%s", p.name, p.log, tail(p.log))
}

// kill is kill -9.
func (p *proc) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		p.cmd = nil
	}
}

// base is serve's public URL, which webhooks are signed for.
func (p *proc) base() string { return "http://" + p.addr }

// metric reads one of serve's metrics (0 when absent).
func (p *proc) metric(name string) float64 {
	res, err := http.Get(p.base() + "/metrics")
	if err != nil {
		return -1
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// bin is the caseline binary the suite built.
var bin string

// world is one scenario's database, processes and counters.
type world struct {
	t     *testing.T
	pg    *postgres
	redis *redisServer
	prov  *provider
	db    string
	pool  *pgxpool.Pool
	dir   string
	zone  string
	seq   atomic.Int64
}

// newWorld makes a fresh, migrated database and empties Redis.
func newWorld(t *testing.T, pg *postgres, rs *redisServer) *world {
	t.Helper()
	ctx := context.Background()
	name := "faults_" + strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name()))
	name = name[:min(len(name), 60)]
	admin, err := pgxpool.New(ctx, pg.url("postgres"))
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err)
	admin.Close()
	rs.flushAll()
	w := &world{t: t, pg: pg, redis: rs, prov: startProvider(t), db: pg.url(name), dir: t.TempDir(), zone: dayZone(time.Now())}
	cmd := exec.Command(bin, "migrate", "up")
	cmd.Env = w.env(nil)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	w.pool, err = pgxpool.New(ctx, w.db)
	require.NoError(t, err)
	t.Cleanup(w.pool.Close)
	return w
}

// dayZone is a time zone where it is early afternoon now, so that quiet hours (21:00–07:00)
// hold nothing back whenever the suite runs.
func dayZone(now time.Time) string {
	offset := 13 - now.UTC().Hour()
	if offset > 12 {
		offset -= 24
	}
	if offset == 0 {
		return "Etc/GMT"
	}
	return fmt.Sprintf("Etc/GMT%+d", -offset)
}

// env is the processes' environment, with extra variables.
func (w *world) env(extra map[string]string) []string {
	vars := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"),
		"DATABASE_URL": w.db, "REDIS_URL": "redis://" + w.redis.addr + "/0",
		"TWILIO_ACCOUNT_SID": accountSID, "TWILIO_AUTH_TOKEN": authToken, "TWILIO_FROM": "+84901000000",
		"TWILIO_API_URL": w.prov.url, "USSD_TOKEN": ussdToken, "ANDROID_GATEWAY_PASSWORD": androidPW,
		"TIMEZONE": w.zone, "LOG_LEVEL": "warn",
		// A killed worker's claims come back after twice this, not after a minute.
		"TASK_TIMEOUT": "3s",
	}
	for k, v := range extra {
		vars[k] = v
	}
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// serve starts a `caseline serve` with a spool of its own.
func (w *world) serve() *proc {
	w.t.Helper()
	n := w.seq.Add(1)
	addr := freeAddr(w.t)
	p := &proc{t: w.t, name: "serve", addr: addr, log: filepath.Join(w.dir, fmt.Sprintf("serve%d.log", n)),
		env: w.env(map[string]string{"LISTEN_ADDR": addr, "PUBLIC_BASE_URL": "http://" + addr,
			"SPOOL_DIR": filepath.Join(w.dir, fmt.Sprintf("spool%d", n))})}
	p.start()
	return p
}

// work starts a `caseline work` with a send rate limit (0: none).
func (w *world) work(rate int) *proc {
	w.t.Helper()
	n := w.seq.Add(1)
	p := &proc{t: w.t, name: "work", log: filepath.Join(w.dir, fmt.Sprintf("work%d.log", n)),
		env: w.env(map[string]string{"SEND_RATE_LIMIT": strconv.Itoa(rate)})}
	p.start()
	return p
}

func (w *world) exec(sql string, args ...any) {
	w.t.Helper()
	_, err := w.pool.Exec(context.Background(), sql, args...)
	require.NoError(w.t, err)
}

func (w *world) int(sql string, args ...any) int {
	w.t.Helper()
	var n int
	require.NoError(w.t, w.pool.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// eventually waits for cond, failing after limit with what it said last.
func (w *world) eventually(what string, limit time.Duration, cond func() (bool, string)) {
	w.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: not after %s (%s)", what, limit, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// drained waits until the serves' spools are empty.
func (w *world) drained(serves ...*proc) {
	w.t.Helper()
	w.eventually("spools emptied", 90*time.Second, func() (bool, string) {
		var depths []string
		ok := true
		for _, s := range serves {
			d := s.metric("caseline_spool_depth")
			depths = append(depths, fmt.Sprint(d))
			ok = ok && d == 0
		}
		return ok, "depths " + strings.Join(depths, ", ")
	})
}
