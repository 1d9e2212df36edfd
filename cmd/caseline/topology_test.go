package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/caseline/caseline/simulators/faketwilio"
	"github.com/caseline/caseline/simulators/phone"
	"github.com/caseline/caseline/store/storetest"
)

// composePath is the deployment TestComposeTopologyAsProcesses runs.
const composePath = "../../deploy/compose.yaml"

// composeFile is what the topology test reads of deploy/compose.yaml.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Deploy struct {
		Replicas int `yaml:"replicas"`
	} `yaml:"deploy"`
}

// composeSecrets stand in for deploy/.env.
var composeSecrets = map[string]string{
	"POSTGRES_PASSWORD": "pgsecret", "REDIS_PASSWORD": "redissecret", "CASELINE_DOMAIN": "caseline.example.org",
	"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "testtoken", "TWILIO_FROM": "+84901000000",
	"USSD_TOKEN": "test-token", "ANDROID_GATEWAY_PASSWORD": "test-password",
}

// interpolation is compose's ${NAME}, ${NAME:-default} and ${NAME:?error}.
var interpolation = regexp.MustCompile(`\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)?\}`)

// interpolate fills v's ${…} from composeSecrets, or with their defaults, as compose would
// from deploy/.env.
func interpolate(v string) string {
	return interpolation.ReplaceAllStringFunc(v, func(m string) string {
		sub := interpolation.FindStringSubmatch(m)
		if v, ok := composeSecrets[sub[1]]; ok {
			return v
		}
		return sub[2]
	})
}

// topology is the processes of the compose file, by role.
type topology struct {
	migrate, serve, work []composeService // one entry per replica
	redis, sentinels     int
	postgres             int
}

// readTopology reads the compose file and sorts its services into roles.
func readTopology(t *testing.T) topology {
	t.Helper()
	raw, err := os.ReadFile(composePath)
	require.NoError(t, err)
	var f composeFile
	require.NoError(t, yaml.Unmarshal(raw, &f))
	var top topology
	for name, s := range f.Services {
		for k, v := range s.Environment {
			s.Environment[k] = interpolate(v)
		}
		script := strings.Join(s.Command, " ")
		switch {
		case strings.Contains(s.Image, "caseline"):
			replicas := max(s.Deploy.Replicas, 1)
			for range replicas {
				switch s.Command[0] {
				case "migrate":
					top.migrate = append(top.migrate, s)
				case "serve":
					top.serve = append(top.serve, s)
				case "work":
					top.work = append(top.work, s)
				default:
					t.Fatalf("compose service %s runs caseline %v, which this test does not know", name, s.Command)
				}
			}
		case strings.HasPrefix(s.Image, "postgres:"):
			top.postgres++
		case strings.Contains(script, "redis-sentinel"):
			top.sentinels++
		case strings.Contains(script, "redis-server"):
			top.redis++
		}
	}
	return top
}

// TestComposeFileIsConsistent checks what the compose file promises without running it: the
// process counts the README names, migrations before every caseline process, the health
// check the binary answers, and only variables that caseline reads.
func TestComposeFileIsConsistent(t *testing.T) {
	t.Parallel()
	top := readTopology(t)
	require.Len(t, top.migrate, 1)
	require.Len(t, top.serve, 2)
	require.Len(t, top.work, 2)
	require.Equal(t, 1, top.postgres)
	require.Equal(t, 2, top.redis, "a master and a replica")
	require.Equal(t, 3, top.sentinels, "three Sentinels, so that a quorum of two survives losing one")

	known := map[string]bool{}
	for _, v := range variables() {
		known[v.name] = true
	}
	for _, s := range slices.Concat(top.migrate, top.serve, top.work) {
		for name := range s.Environment {
			require.True(t, known[name], "compose sets %s, which caseline does not read", name)
		}
		target, err := parseRedisURL(s.Environment["REDIS_URL"])
		require.NoError(t, err)
		require.NotNil(t, target.sentinel, "REDIS_URL goes through Sentinel")
		require.Equal(t, storetest.SentinelMaster, target.sentinel.MasterName)
		require.Len(t, target.sentinel.SentinelAddrs, top.sentinels)
		require.Equal(t, composeSecrets["REDIS_PASSWORD"], target.sentinel.Password, "the servers' password; the Sentinels have none")
		require.Empty(t, target.sentinel.SentinelPassword)
	}
	spools := map[string]bool{}
	for _, s := range top.serve {
		dir := s.Environment["SPOOL_DIR"]
		require.NotEmpty(t, dir, "serve spools inbound messages on a volume, not the read-only root")
		var volume string
		for _, v := range s.Volumes {
			if name, at, _ := strings.Cut(v, ":"); at == dir {
				volume = name
			}
		}
		require.NotEmpty(t, volume, "serve's SPOOL_DIR %s is a volume of its own", dir)
		require.False(t, spools[volume], "two gateways share the spool volume %s", volume)
		spools[volume] = true
	}
	// The proxy sends webhooks to every serve that is up, not only to ready ones: while
	// PostgreSQL or Redis is away each answers 503 on /readyz yet still takes webhooks into
	// its spool, which a proxy checking /readyz would never let reach it.
	caddy, err := os.ReadFile(filepath.Join(filepath.Dir(composePath), "Caddyfile"))
	require.NoError(t, err)
	require.Regexp(t, `(?m)^\s*health_uri /healthz$`, string(caddy))
	require.NotContains(t, string(caddy), "health_uri /readyz")
	require.Contains(t, top.migrate[0].DependsOn, "postgres")
	for _, s := range slices.Concat(top.serve, top.work) {
		require.Equal(t, "service_completed_successfully", s.DependsOn["migrate"].Condition, "%v starts after the migrations", s.Command)
		require.Equal(t, []string{"CMD", "/caseline", "health"}, s.Healthcheck.Test)
	}
}

// TestComposeTopologyAsProcesses runs the compose file's topology as plain processes of the
// real binary on free loopback ports: `caseline migrate up` on an empty database first,
// then every serve and work replica against PostgreSQL and a Redis master, replica and
// three Sentinels (REDIS_URL=redis-sentinel://…), with the compose file's environment. Each
// process's /healthz and /readyz must answer 200, and `caseline health` (the compose health
// check) exit 0; every work process must have registered with the queue; a signed SMS
// through each gateway, as the proxy forwards it, must be answered. Caddy itself is not run:
// the test talks to what it fronts.
func TestComposeTopologyAsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the binary, runs Redis processes")
	}
	top := readTopology(t)
	bin := buildBinary(t)
	sentinel := storetest.NewSentinel(t)
	db := storetest.NewEmptyDatabase(t)
	fake := httptest.NewServer(faketwilio.New(faketwilio.Options{AccountSID: "AC123", AuthToken: "testtoken"}))
	t.Cleanup(fake.Close)
	const public = "https://caseline.example.org"

	// envOf is a compose service's environment on this machine's addresses instead of the
	// compose network's names.
	envOf := func(s composeService, listen string) []string {
		env := maps.Clone(s.Environment)
		require.Equal(t, public, env["PUBLIC_BASE_URL"])
		target, err := parseRedisURL(env["REDIS_URL"])
		require.NoError(t, err)
		env["DATABASE_URL"] = db
		env["REDIS_URL"] = sentinel.URL(target.sentinel.DB)
		env["LISTEN_ADDR"] = listen
		env["TWILIO_API_URL"] = fake.URL // nothing here reaches Twilio
		env["LOG_LEVEL"] = "info"
		if env["SPOOL_DIR"] != "" {
			env["SPOOL_DIR"] = t.TempDir() // each serve its own, as each container has its volume
		}
		out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
		for k, v := range env {
			out = append(out, k+"="+v)
		}
		return out
	}

	// The one-shot migration, first.
	migrate := exec.Command(bin, top.migrate[0].Command...)
	migrate.Env = envOf(top.migrate[0], "127.0.0.1:0")
	out, err := migrate.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, `applied [1-9][0-9]* migration\(s\)`, string(out))

	type proc struct {
		name string
		addr string
		cmd  *exec.Cmd
		logs *logSink
	}
	var procs []*proc
	for i, s := range slices.Concat(top.serve, top.work) {
		p := &proc{name: fmt.Sprintf("%s-%d", s.Command[0], i+1), addr: freeAddr(t), logs: &logSink{}}
		p.cmd = exec.Command(bin, s.Command...)
		p.cmd.Env = envOf(s, p.addr)
		p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
		require.NoError(t, p.cmd.Start())
		t.Cleanup(func() {
			if p.cmd.ProcessState == nil {
				_ = p.cmd.Process.Kill()
				_ = p.cmd.Wait()
			}
		})
		procs = append(procs, p)
	}

	for _, p := range procs {
		base := "http://" + p.addr
		require.Eventually(t, func() bool {
			resp, err := http.Get(base + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}, 60*time.Second, 100*time.Millisecond, "%s is ready; logs:\n%s", p.name, p.logs.String())
		status, body := get(t, base+"/readyz")
		require.Equal(t, http.StatusOK, status, p.name)
		want := `{"postgresql":"ok","redis":"ok"}`
		if strings.HasPrefix(p.name, "serve") {
			want = `{"postgresql":"ok","redis":"ok","spool":"ok"}`
		}
		require.JSONEq(t, want, body, p.name)
		status, _ = get(t, base+"/healthz")
		require.Equal(t, http.StatusOK, status, p.name)

		health := exec.Command(bin, "health")
		health.Env = []string{"LISTEN_ADDR=" + p.addr}
		out, err := health.CombinedOutput()
		require.NoError(t, err, "%s: caseline health: %s", p.name, out)
	}

	// Each work process runs its task workers: asynq lists one server per process.
	rdb, err := openRedis(sentinel.URL(0))
	require.NoError(t, err)
	defer rdb.Close()
	inspector := asynq.NewInspectorFromRedisClient(rdb)
	require.Eventually(t, func() bool {
		servers, err := inspector.Servers()
		return err == nil && len(servers) == len(top.work)
	}, 30*time.Second, 200*time.Millisecond, "every work process has registered with the queue")

	// Each gateway answers an SMS as the proxy hands it over: signed for the public URL.
	for i, p := range procs[:len(top.serve)] {
		ph, err := phone.New(phone.Options{BaseURL: "http://" + p.addr, PublicBaseURL: public,
			AuthToken: "testtoken", AccountSID: "AC123", To: "+84901000000", Number: fmt.Sprintf("+8491400%04d", i)})
		require.NoError(t, err)
		reply, err := ph.SMS(t.Context(), "MENU")
		require.NoError(t, err, p.name)
		require.NotEmpty(t, reply.Messages, p.name)
	}

	// SIGTERM, as compose and systemd stop them: each exits 0 after a graceful stop.
	for _, p := range procs {
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	}
	for _, p := range procs {
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				t.Errorf("%s exited %d after SIGTERM; logs:\n%s", p.name, exit.ExitCode(), p.logs.String())
			} else {
				require.NoError(t, err)
			}
		case <-time.After(40 * time.Second):
			t.Fatalf("%s still running 40 s after SIGTERM", p.name)
		}
		require.Contains(t, p.logs.String(), `"message":"stopped"`, p.name)
	}
}

// buildBinary builds cmd/caseline into the test's temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "caseline")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}
