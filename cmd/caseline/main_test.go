package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/caseline/caseline/gateway/gatewaytest"
	"github.com/stretchr/testify/require"
)

// Tests that call run past the configuration run one at a time (no t.Parallel): run sets
// zerolog's process-wide settings, as main's run must.

// TestMain lets a test run the real main in a child process: with CASELINE_MAIN set, this
// test binary is `caseline $CASELINE_MAIN`.
func TestMain(m *testing.M) {
	if args := os.Getenv("CASELINE_MAIN"); args != "" {
		os.Args = append([]string{"caseline"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	_, before := os.Stat("spool")
	code := m.Run()
	if _, err := os.Stat("spool"); err == nil && before != nil {
		// A test started serve or dev without a SPOOL_DIR of its own (testEnv gives one
		// under t.TempDir()): it wrote into the repository.
		fmt.Fprintln(os.Stderr, "a test wrote the spool directory cmd/caseline/spool: give it testEnv's SPOOL_DIR")
		code = 1
	}
	os.Exit(code)
}

// testRedisURL is the Redis database the short-lived serve/work/dev processes of these tests
// use: away from `caseline dev`'s database 0, and outside the leased range (1 to 14) of the
// tests that need a database to themselves.
const testRedisURL = "redis://127.0.0.1:6379/15"

// closedPort is an address where nothing listens.
const closedPort = "127.0.0.1:1"

// testEnv is an environment in which serve, work and dev start on a free port against the
// given database, with a spool directory of their own under t.TempDir() (never the default,
// which is inside the repository). Each override replaces one variable; "" unsets it.
func testEnv(t testing.TB, databaseURL string, overrides map[string]string) map[string]string {
	env := map[string]string{
		"DATABASE_URL":             databaseURL,
		"REDIS_URL":                testRedisURL,
		"LISTEN_ADDR":              "127.0.0.1:0",
		"TWILIO_ACCOUNT_SID":       "AC123",
		"TWILIO_FROM":              "+84901000000",
		"TWILIO_AUTH_TOKEN":        "testtoken",
		"USSD_TOKEN":               "test-token",
		"ANDROID_GATEWAY_PASSWORD": "test-password",
		"LOG_LEVEL":                "debug",
		"FAKE_TWILIO_ADDR":         "127.0.0.1:0",
		"SPOOL_DIR":                t.TempDir(),
	}
	for k, v := range overrides {
		env[k] = v
	}
	return env
}

// getenv reads env only, never the real environment.
func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// logSink collects the JSON lines run logs, safely for concurrent writers.
type logSink struct {
	gatewaytest.Logs
}

// lines decodes every complete line logged so far.
func (s *logSink) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(s.String()) {
		if !strings.HasSuffix(line, "\n") {
			break
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "log line is JSON: %s", line)
		out = append(out, m)
	}
	return out
}

// waitFor returns the first line logged with message msg, waiting up to 15 s for it.
func (s *logSink) waitFor(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range s.lines(t) {
			if l["message"] == msg {
				return l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q log line in 15 s; logs:\n%s", msg, s.String())
	return nil
}

// process is one call of run in the background.
type process struct {
	logs   *logSink
	stdout *logSink
	cancel context.CancelFunc
	done   chan error
}

// start calls run with args in the background. Cleanup stops it if the test did not.
func start(t *testing.T, env map[string]string, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{logs: &logSink{}, stdout: &logSink{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		p.done <- run(ctx, append([]string{"caseline"}, args...), getenv(env), strings.NewReader(""), p.stdout, p.logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			t.Errorf("run did not return 30 s after cancel")
		}
	})
	return p
}

// addr waits until the HTTP server listens and returns its base URL.
func (p *process) addr(t *testing.T) string {
	t.Helper()
	l := p.logs.waitFor(t, "listening")
	return fmt.Sprintf("http://%s", l["addr"])
}

// stop cancels run's context (as SIGTERM does) and returns what run returned.
func (p *process) stop(t *testing.T) error {
	t.Helper()
	p.cancel()
	return p.wait(t)
}

// wait returns what run returned, failing the test if that takes over 30 s.
func (p *process) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // let cleanup see it too
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not return in 30 s; logs:\n%s", p.logs.String())
		return nil
	}
}
