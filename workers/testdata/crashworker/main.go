// Command crashworker runs Caseline's workers and dispatcher on a database and a Redis
// database, with a provider that appends every message it accepts to a file. With
// -die=before it kills itself (SIGKILL) just before the provider is called; with
// -die=after, just after the provider accepted, before the worker records it; with
// -die=after:N, just after the provider accepted the Nth message, with the other sends of
// the batch still under way. -latency makes the provider take a random 0–40 ms to receive
// each message and as long to answer, and writes each arrival's time (Unix nanoseconds)
// first on its line; -rate sets the send rate limit, shared through Redis by every process
// with the same Redis database. The workers tests use it to kill a real worker process and
// to run two of them side by side.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/workers"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "crashworker:", err)
		os.Exit(1)
	}
}

func run() error {
	dbURL := flag.String("db", "", "database URL")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	redisDB := flag.Int("redis-db", 1, "Redis database")
	out := flag.String("out", "", "file the provider appends accepted messages to")
	die := flag.String("die", "", "before, after or after:N: when to kill this process")
	latency := flag.Bool("latency", false, "the provider takes a random time to receive and answer")
	rate := flag.Float64("rate", 0, "send rate limit, messages per second (0: none)")
	flag.Parse()
	prov := &fileProvider{path: *out, die: *die, latency: *latency}
	if n, ok := strings.CutPrefix(*die, "after:"); ok {
		var err error
		if prov.dieAt, err = strconv.ParseInt(n, 10, 64); err != nil {
			return fmt.Errorf("-die %s: %w", *die, err)
		}
		prov.die = ""
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := zerolog.New(os.Stderr).Level(zerolog.WarnLevel)
	pool, err := store.Open(ctx, *dbURL, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	opt := asynq.RedisClientOpt{Addr: *redisAddr, DB: *redisDB}
	client := asynq.NewClient(opt)
	defer client.Close()
	queue := workers.NewQueue(client, time.Second)
	deps := workers.Deps{
		Store:            store.New(pool, care.SystemClock{}),
		Senders:          map[care.Provider]care.Sender{care.ProviderTwilio: prov},
		RateLimit:        *rate,
		Redis:            redis.NewClient(&redis.Options{Addr: *redisAddr, DB: *redisDB}),
		Clock:            care.SystemClock{},
		Log:              log,
		PublicBaseURL:    "http://127.0.0.1",
		TaskTimeout:      time.Second,
		Lease:            2 * time.Second,
		DispatchInterval: 200 * time.Millisecond,
		Enqueuer:         queue,
	}
	mux, err := workers.NewMux(deps)
	if err != nil {
		return err
	}
	d, err := workers.NewDispatcher(deps, queue)
	if err != nil {
		return err
	}
	srv := asynq.NewServer(opt, workers.ServerConfig(log, 4))
	if err := srv.Start(mux); err != nil {
		return err
	}
	defer srv.Shutdown()
	return d.Run(ctx)
}

// fileProvider accepts every message by appending it to a file, synced before it answers.
type fileProvider struct {
	path     string
	die      string
	dieAt    int64 // kill after accepting this many (0: never)
	latency  bool
	accepted atomic.Int64
}

func (p *fileProvider) SendSMS(_ context.Context, to care.Phone, body string) (string, error) {
	if p.die == "before" {
		kill()
	}
	if p.latency {
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond) // on the way there
	}
	line := fmt.Sprintf("%s %s\n", to.E164(), body)
	if p.latency {
		line = strconv.FormatInt(time.Now().UnixNano(), 10) + " " + line
	}
	if err := p.append(line); err != nil {
		return "", err
	}
	if p.die == "after" || (p.dieAt > 0 && p.accepted.Add(1) == p.dieAt) {
		kill()
	}
	if p.latency {
		time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond) // the answer's way back
	}
	return fmt.Sprintf("SM%d", time.Now().UnixNano()), nil
}

// append writes one line; O_APPEND keeps concurrent lines, of this process or another, whole.
func (p *fileProvider) append(line string) error {
	f, err := os.OpenFile(p.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteString(line); err != nil {
		return err
	}
	return f.Sync()
}

func (p *fileProvider) Call(ctx context.Context, to care.Phone, url string) (string, error) {
	return p.SendSMS(ctx, to, url)
}

// kill ends the process at once, as the OOM killer or a power cut would: no deferred call runs.
func kill() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
