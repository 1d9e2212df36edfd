package workers_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// TestKilledWorkerProcessSendsOnceOrRepeatsOnlyTheAcceptedMessage kills a real worker
// process (SIGKILL) in the middle of a send, then starts another on the same PostgreSQL and
// Redis: killed before the provider call, the message goes once after the lease; killed
// after the provider accepted but before the record, that message alone is repeated once.
func TestKilledWorkerProcessSendsOnceOrRepeatsOnlyTheAcceptedMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a worker binary")
	}
	redisOpt := redisDB(t)
	e := setup(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "crashworker")
	build := exec.Command("go", "build", "-o", bin, "./testdata/crashworker")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	out := filepath.Join(dir, "provider.log")
	dbURL := e.pool.Config().ConnString()
	p := e.person("", "vi", false)

	start := func(die string) *exec.Cmd {
		cmd := exec.Command(bin, "-db", dbURL, "-redis", redisOpt.Addr, "-redis-db", strconv.Itoa(redisOpt.DB), "-out", out, "-die", die)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		return cmd
	}
	waitDead := func(cmd *exec.Cmd) {
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			require.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())
		case <-time.After(30 * time.Second):
			t.Fatal("the worker did not kill itself")
		}
	}
	stop := func(cmd *exec.Cmd) {
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		_ = cmd.Wait()
	}
	waitSent := func(id care.MessageID) {
		ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
		defer cancel()
		for {
			var status string
			require.NoError(t, e.pool.QueryRow(ctx, `SELECT status FROM message WHERE id = $1`, id).Scan(&status))
			if status == "sent" {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("message %d still %s", id, status)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	// The provider's log, by message body.
	accepted := func() map[string]int {
		b, err := os.ReadFile(out)
		if os.IsNotExist(err) {
			return map[string]int{}
		}
		require.NoError(t, err)
		n := map[string]int{}
		for line := range strings.Lines(string(b)) {
			_, body, _ := strings.Cut(strings.TrimSpace(line), " ")
			n[body]++
		}
		return n
	}
	queueNow := func(body string) care.MessageID {
		return care.MessageID(e.int64(`
			INSERT INTO message (direction, channel, provider, phone, person_id, body, status, idempotency_key, next_attempt_at)
			VALUES ('out', 'sms', 'twilio', $1, $2, $3, 'queued', $3, now()) RETURNING id`, p.Phone, p.ID, body))
	}

	before := queueNow("before")
	waitDead(start("before"))
	require.Equal(t, "sending", e.str(`SELECT status FROM message WHERE id = $1`, before))
	require.Empty(t, accepted())
	w := start("")
	waitSent(before)
	stop(w)
	require.Equal(t, map[string]int{"before": 1}, accepted())

	after := queueNow("after")
	waitDead(start("after"))
	require.Equal(t, "sending", e.str(`SELECT status FROM message WHERE id = $1`, after))
	require.Equal(t, map[string]int{"before": 1, "after": 1}, accepted())
	w = start("")
	waitSent(after)
	time.Sleep(3 * time.Second) // longer than the lease: nothing else is repeated
	stop(w)
	require.Equal(t, map[string]int{"before": 1, "after": 2}, accepted())
	require.Equal(t, "sent 2", e.str(`SELECT status || ' ' || attempts FROM message WHERE id = $1`, after))
}
