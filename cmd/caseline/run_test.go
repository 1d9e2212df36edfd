package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/store/storetest"
)

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestServeIsHealthyAndReady(t *testing.T) {
	p := start(t, testEnv(t, storetest.NewDatabase(t), nil), "serve")
	base := p.addr(t)

	status, body := get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, "ok", body)

	status, body = get(t, base+"/readyz?phone=%2B84901234567")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"postgresql":"ok","redis":"ok","spool":"ok"}`, body)

	status, body = get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, `caseline_http_requests_total{code="200",route="GET /readyz"} 1`)
	require.Contains(t, body, "go_goroutines", "the runtime collectors are registered")

	require.NoError(t, p.stop(t), "a cancelled context is a clean shutdown")
	logs := p.logs.String()
	require.NotContains(t, logs, "84901234567", "the access log never has the query string")
	require.Contains(t, logs, `"path":"/readyz"`)
	require.Contains(t, logs, `"message":"stopped"`)
}

func TestReadyzNamesTheDependencyThatIsDown(t *testing.T) {
	tests := []struct {
		name, down string
		env        func(t *testing.T) map[string]string
	}{
		{"postgresql", "postgresql", func(t *testing.T) map[string]string {
			return testEnv(t, "postgres://caseline:caseline@"+closedPort+"/caseline?sslmode=disable", nil)
		}},
		{"redis", "redis", func(t *testing.T) map[string]string {
			return testEnv(t, storetest.NewDatabase(t), map[string]string{"REDIS_URL": "redis://" + closedPort + "/0"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := start(t, tt.env(t), "serve")
			status, body := get(t, p.addr(t)+"/readyz")
			require.Equal(t, http.StatusServiceUnavailable, status, body)
			var got map[string]string
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			require.Len(t, got, 3)
			for dep, state := range got {
				if dep == tt.down {
					require.True(t, strings.HasPrefix(state, "down: "), "%s: %s", dep, state)
					require.Contains(t, state, "refused")
				} else {
					require.Equal(t, "ok", state, dep)
				}
			}
			status, _ = get(t, p.addr(t)+"/healthz")
			require.Equal(t, http.StatusOK, status, "the process is up even when a dependency is not")
			require.NoError(t, p.stop(t))
		})
	}
}

func TestServeFailsWhenItsPortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	p := start(t, testEnv(t, storetest.NewDatabase(t), map[string]string{"LISTEN_ADDR": ln.Addr().String()}), "serve")
	err = p.wait(t)
	require.ErrorContains(t, err, "start http: listen tcp "+ln.Addr().String())
	require.Equal(t, 1, exitCode(err))
}

func TestWorkStartsAndStopsCleanly(t *testing.T) {
	p := start(t, testEnv(t, storetest.NewDatabase(t), nil), "work")
	p.logs.waitFor(t, "started")
	base := p.addr(t)

	// work answers only the probes and /metrics: its orchestrator checks it as it checks serve.
	status, body := get(t, base+"/readyz")
	require.Equal(t, http.StatusOK, status)
	require.JSONEq(t, `{"postgresql":"ok","redis":"ok"}`, body)
	status, _ = get(t, base+"/healthz")
	require.Equal(t, http.StatusOK, status)
	status, _ = get(t, base+"/metrics")
	require.Equal(t, http.StatusOK, status)
	for _, path := range []string{"/twilio/sms", "/ussd/africastalking", "/android/sms", "/api/v1/openapi.json"} {
		status, _ = get(t, base+path)
		require.Equal(t, http.StatusNotFound, status, "work serves no webhook or API: %s", path)
	}

	require.NoError(t, p.stop(t))
	require.Contains(t, p.logs.String(), `"component":"workers"`, "the task workers started")
}

// TestHealthCommand: `caseline health` is the container health check: 0 when the process
// on LISTEN_ADDR is ready, 1 (with what /readyz said) when it is not or nothing listens.
func TestHealthCommand(t *testing.T) {
	ready := start(t, testEnv(t, storetest.NewDatabase(t), nil), "work")
	notReady := start(t, testEnv(t, storetest.NewDatabase(t), map[string]string{"REDIS_URL": "redis://" + closedPort + "/0"}), "serve")
	tests := []struct {
		name, addr string
		err        string
	}{
		{"ready", strings.TrimPrefix(ready.addr(t), "http://"), ""},
		{"redis down", strings.TrimPrefix(notReady.addr(t), "http://"), `health: /readyz answered 503: {"postgresql":"ok","redis":"down: `},
		{"nothing listens", closedPort, "health: Get \"http://" + closedPort + "/readyz\": dial tcp " + closedPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := run(t.Context(), []string{"caseline", "health"}, getenv(map[string]string{"LISTEN_ADDR": tt.addr}),
				strings.NewReader(""), &stdout, &stderr)
			if tt.err == "" {
				require.NoError(t, err)
				require.JSONEq(t, `{"postgresql":"ok","redis":"ok"}`, stdout.String())
				return
			}
			require.ErrorContains(t, err, tt.err)
			require.Equal(t, 1, exitCode(err))
		})
	}
}

func TestWorkFailsWithoutRedis(t *testing.T) {
	p := start(t, testEnv(t, storetest.NewDatabase(t), map[string]string{"REDIS_URL": "redis://" + closedPort + "/0"}), "work")
	err := p.wait(t)
	require.ErrorContains(t, err, "start workers: connect to redis")
	require.Equal(t, 1, exitCode(err))
}

func TestDevMigratesThenServesAndWorks(t *testing.T) {
	// A database without the migrations: dev applies them first. The secrets are unset:
	// dev has defaults for them.
	url := storetest.NewDatabase(t)
	p := start(t, testEnv(t, url, nil), "migrate", "down")
	require.NoError(t, p.wait(t))

	p = start(t, testEnv(t, url, map[string]string{"TWILIO_AUTH_TOKEN": "", "USSD_TOKEN": "", "ANDROID_GATEWAY_PASSWORD": ""}), "dev")
	base := p.addr(t)
	status, body := get(t, base+"/readyz")
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, p.stdout.String(), "applied 1 migration(s)")
	require.Contains(t, p.logs.String(), `"component":"workers"`, "the workers run too")
	require.NoError(t, p.stop(t))
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		errMsg string
		stdout string
	}{
		{args: nil, code: 2, errMsg: "no command given; try `caseline help`"},
		{args: []string{"bogus"}, code: 2, errMsg: "unknown command \"bogus\"; try `caseline help`"},
		{args: []string{"migrate"}, code: 2, errMsg: "migrate takes one of up, down, status"},
		{args: []string{"migrate", "sideways"}, code: 2, errMsg: "migrate takes one of up, down, status"},
		{args: []string{"serve", "extra"}, code: 2, errMsg: "serve takes no arguments"},
		{args: []string{"help"}, code: 0, stdout: "Usage: caseline <command>"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel() // none of these gets as far as setting up logging
			var stdout, stderr strings.Builder
			err := run(t.Context(), append([]string{"caseline"}, tt.args...), getenv(nil), strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tt.code, exitCode(err))
			if tt.errMsg != "" {
				require.EqualError(t, err, tt.errMsg)
			}
			require.Contains(t, stdout.String(), tt.stdout)
			require.Empty(t, stderr.String())
		})
	}
}

// TestSelfCommand: dev tells a newcomer to run the phone simulator the way dev itself was
// run, so that a machine where scripts/dev.sh installed Go off the PATH needs no `go run`.
func TestSelfCommand(t *testing.T) {
	t.Parallel()
	tests := []struct{ arg0, want string }{
		{"bin/caseline", "bin/caseline"},
		{"/opt/caseline/bin/caseline", "/opt/caseline/bin/caseline"},
		{"caseline", "go run ./cmd/caseline"},
		{filepath.Join(os.TempDir(), "go-build123/b001/exe/caseline"), "go run ./cmd/caseline"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, selfCommand(tt.arg0), tt.arg0)
	}
}
