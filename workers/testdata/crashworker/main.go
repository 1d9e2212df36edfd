// Command crashworker runs Caseline's workers and dispatcher on a database and a Redis
// database, with a provider that appends every message it accepts to a file. With
// -die=before it kills itself (SIGKILL) just before the provider is called; with
// -die=after, just after the provider accepted, before the worker records it. The workers
// tests use it to kill a real worker process.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
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
	die := flag.String("die", "", "before or after: when to kill this process")
	flag.Parse()

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
		Senders:          map[care.Provider]care.Sender{care.ProviderTwilio: &fileProvider{path: *out, die: *die}},
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
	path string
	die  string
}

func (p *fileProvider) SendSMS(_ context.Context, to care.Phone, body string) (string, error) {
	if p.die == "before" {
		kill()
	}
	f, err := os.OpenFile(p.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s %s\n", to.E164(), body); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if p.die == "after" {
		kill()
	}
	return fmt.Sprintf("SM%d", time.Now().UnixNano()), nil
}

func (p *fileProvider) Call(ctx context.Context, to care.Phone, url string) (string, error) {
	return p.SendSMS(ctx, to, url)
}

// kill ends the process at once, as the OOM killer or a power cut would: no deferred call runs.
func kill() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
