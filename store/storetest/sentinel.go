package storetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SentinelMaster is the name the Sentinels of NewSentinel monitor their master by.
const SentinelMaster = "caseline"

// Sentinel is a Redis master, its replica and three Redis Sentinels watching them: real
// processes of the test's own, on free loopback ports, killed at cleanup. Three Sentinels
// with a quorum of two, as in production, so that a failover needs them to agree.
type Sentinel struct {
	t       testing.TB
	addrs   []string             // the Sentinels'
	servers map[string]*exec.Cmd // the master and the replica, by address
}

// NewSentinel starts a master, a replica and three Sentinels, and returns once the
// Sentinels know the replica and each other, which a failover needs. It needs redis-server
// and, for the Sentinels, Debian's redis-sentinel (scripts/test.sh installs both); where
// only redis-server is found its --sentinel mode is used, the same program.
func NewSentinel(t testing.TB) *Sentinel {
	t.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not installed (bash scripts/test.sh installs it): %v", err)
	}
	// redis-server reads its configuration file first and takes --sentinel after it.
	sentinelArgs := func(conf string) []string { return []string{server, conf, "--sentinel"} }
	if path, err := exec.LookPath("redis-sentinel"); err == nil {
		sentinelArgs = func(conf string) []string { return []string{path, conf} }
	}
	s := &Sentinel{t: t, servers: map[string]*exec.Cmd{}}
	dir := t.TempDir()

	serverArgs := func(name string, extra ...string) func(port int) []string {
		return func(port int) []string {
			return append([]string{server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--dir", dir, "--dbfilename", name + ".rdb"}, extra...)
		}
	}
	master, cmd := startRedis(t, dir, "master", serverArgs("master"))
	s.servers[master] = cmd
	masterHost, masterPort, _ := net.SplitHostPort(master)
	replica, cmd := startRedis(t, dir, "replica", serverArgs("replica", "--replicaof", masterHost, masterPort))
	s.servers[replica] = cmd

	for i := range 3 {
		name := fmt.Sprintf("sentinel-%d", i+1)
		addr, _ := startRedis(t, dir, name, func(port int) []string {
			// A Sentinel rewrites its configuration file: each has its own, written anew per try.
			conf := filepath.Join(dir, name+".conf")
			text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
				"sentinel monitor %s %s %s 2\n"+
				"sentinel down-after-milliseconds %[3]s 1000\n"+
				"sentinel failover-timeout %[3]s 10000\n"+
				"sentinel parallel-syncs %[3]s 1\n",
				port, dir, SentinelMaster, masterHost, masterPort)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatalf("write %s: %v", conf, err)
			}
			return sentinelArgs(conf)
		})
		s.addrs = append(s.addrs, addr)
	}
	s.waitReady(replica)
	return s
}

// URL is the REDIS_URL of this set-up: redis-sentinel://host:port,…/db?master=….
func (s *Sentinel) URL(db int) string {
	return fmt.Sprintf("redis-sentinel://%s/%d?master=%s", strings.Join(s.addrs, ","), db, SentinelMaster)
}

// Addrs are the Sentinels' addresses.
func (s *Sentinel) Addrs() []string { return append([]string(nil), s.addrs...) }

// MasterAddr asks a Sentinel which server is the master now.
func (s *Sentinel) MasterAddr(ctx context.Context) (string, error) {
	var last error
	for _, addr := range s.addrs {
		c := redis.NewSentinelClient(&redis.Options{Addr: addr})
		hp, err := c.GetMasterAddrByName(ctx, SentinelMaster).Result()
		c.Close()
		if err == nil && len(hp) == 2 {
			return net.JoinHostPort(hp[0], hp[1]), nil
		}
		last = err
	}
	return "", fmt.Errorf("no sentinel names a master: %w", last)
}

// KillMaster kills the master's process at once (SIGKILL: no goodbye, no last write
// replicated) and returns its address. The Sentinels see it down after a second and
// promote the replica; it is not restarted.
func (s *Sentinel) KillMaster() string {
	s.t.Helper()
	master, err := s.MasterAddr(context.Background())
	if err != nil {
		s.t.Fatalf("kill the master: %v", err)
	}
	cmd := s.servers[master]
	if cmd == nil {
		s.t.Fatalf("kill the master: %s is no server of this set-up", master)
	}
	if err := cmd.Process.Kill(); err != nil {
		s.t.Fatalf("kill the master %s: %v", master, err)
	}
	return master
}

// WaitForNewMaster waits until every Sentinel names a master other than old, and that
// master answers as one, and returns it.
func (s *Sentinel) WaitForNewMaster(old string, timeout time.Duration) string {
	s.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if addr, ok := s.agreedMaster(ctx); ok && addr != old {
			c := redis.NewClient(&redis.Options{Addr: addr})
			role, err := c.Do(ctx, "ROLE").Slice()
			c.Close()
			if err == nil && len(role) > 0 && role[0] == "master" {
				return addr
			}
			last = fmt.Sprintf("%s does not answer as the master yet (%v %v)", addr, role, err)
		} else {
			last = fmt.Sprintf("the Sentinels name %q", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("no new master within %s: %s", timeout, last)
	return ""
}

// agreedMaster is the master every Sentinel names, if they agree.
func (s *Sentinel) agreedMaster(ctx context.Context) (string, bool) {
	var agreed string
	for _, addr := range s.addrs {
		c := redis.NewSentinelClient(&redis.Options{Addr: addr})
		hp, err := c.GetMasterAddrByName(ctx, SentinelMaster).Result()
		c.Close()
		if err != nil || len(hp) != 2 {
			return "", false
		}
		a := net.JoinHostPort(hp[0], hp[1])
		if agreed != "" && a != agreed {
			return a, false
		}
		agreed = a
	}
	return agreed, true
}

// waitReady waits until the replica is in sync and every Sentinel knows it and the two
// other Sentinels, so that the quorum can be reached and a replica promoted.
func (s *Sentinel) waitReady(replica string) {
	s.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		if last = s.notReady(ctx, replica); last == "" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("redis sentinel set-up not ready in 30 s: %s", last)
}

// notReady says what is not ready yet, or "".
func (s *Sentinel) notReady(ctx context.Context, replica string) string {
	r := redis.NewClient(&redis.Options{Addr: replica})
	info, err := r.Info(ctx, "replication").Result()
	r.Close()
	if err != nil || !strings.Contains(info, "master_link_status:up") {
		return fmt.Sprintf("replica %s not in sync (%v)", replica, err)
	}
	for _, addr := range s.addrs {
		c := redis.NewSentinelClient(&redis.Options{Addr: addr})
		replicas, err1 := c.Replicas(ctx, SentinelMaster).Result()
		sentinels, err2 := c.Sentinels(ctx, SentinelMaster).Result()
		c.Close()
		if err1 != nil || err2 != nil {
			return fmt.Sprintf("sentinel %s: %v %v", addr, err1, err2)
		}
		known := false
		for _, r := range replicas {
			if net.JoinHostPort(r["ip"], r["port"]) == replica && !strings.Contains(r["flags"], "down") &&
				!strings.Contains(r["flags"], "disconnected") {
				known = true
			}
		}
		if !known || len(sentinels) != len(s.addrs)-1 {
			return fmt.Sprintf("sentinel %s knows %d replicas and %d other sentinels", addr, len(replicas), len(sentinels))
		}
	}
	return ""
}

// startRedis runs the command args(port) on a free port until it answers PING, retrying
// on another port when someone took the first in between; the process is killed at cleanup.
// Its output goes to DIR/NAME.log.
func startRedis(t testing.TB, dir, name string, args func(port int) []string) (string, *exec.Cmd) {
	t.Helper()
	var last error
	for range 3 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		log, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatalf("%s log: %v", name, err)
		}
		a := args(port)
		cmd := exec.Command(a[0], a[1:]...)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			log.Close()
			t.Fatalf("start %s: %v", name, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait(); log.Close() }()
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			<-exited      //nolint:errcheck // killed on purpose: how it exited says nothing
			exited <- nil // a later cleanup of the same process finds it gone
		})
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if last = waitPing(addr, exited); last == nil {
			return addr, cmd
		}
		out, _ := os.ReadFile(filepath.Join(dir, name+".log"))
		last = fmt.Errorf("%w; its output:\n%s", last, out)
	}
	t.Fatalf("start %s: %v", name, last)
	return "", nil
}

// waitPing waits up to 10 s for the server at addr to answer PING, or for it to exit.
func waitPing(addr string, exited chan error) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited: %w", err)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s in 10 s", addr)
}

// freePort returns a loopback port nobody listened on a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
