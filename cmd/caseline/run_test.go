package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
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
	p := start(t, testEnv(storetest.NewDatabase(t), nil), "serve")
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
			return testEnv("postgres://caseline:caseline@"+closedPort+"/caseline?sslmode=disable", nil)
		}},
		{"redis", "redis", func(t *testing.T) map[string]string {
			return testEnv(storetest.NewDatabase(t), map[string]string{"REDIS_URL": "redis://" + closedPort + "/0"})
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
	p := start(t, testEnv(storetest.NewDatabase(t), map[string]string{"LISTEN_ADDR": ln.Addr().String()}), "serve")
	err = p.wait(t)
	require.ErrorContains(t, err, "start http: listen tcp "+ln.Addr().String())
	require.Equal(t, 1, exitCode(err))
}

func TestWorkStartsAndStopsCleanly(t *testing.T) {
	p := start(t, testEnv(storetest.NewDatabase(t), nil), "work")
	p.logs.waitFor(t, "started")
	require.NoError(t, p.stop(t))
	logs := p.logs.String()
	require.Contains(t, logs, `"component":"workers"`, "the task workers started")
	require.NotContains(t, logs, "listening", "work serves no HTTP")
}

func TestWorkFailsWithoutRedis(t *testing.T) {
	p := start(t, testEnv(storetest.NewDatabase(t), map[string]string{"REDIS_URL": "redis://" + closedPort + "/0"}), "work")
	err := p.wait(t)
	require.ErrorContains(t, err, "start workers: connect to redis")
	require.Equal(t, 1, exitCode(err))
}

func TestDevMigratesThenServesAndWorks(t *testing.T) {
	// A database without the migrations: dev applies them first. The secrets are unset:
	// dev has defaults for them.
	url := storetest.NewDatabase(t)
	p := start(t, testEnv(url, nil), "migrate", "down")
	require.NoError(t, p.wait(t))

	p = start(t, testEnv(url, map[string]string{"TWILIO_AUTH_TOKEN": "", "USSD_TOKEN": "", "ANDROID_GATEWAY_PASSWORD": ""}), "dev")
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
