package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/simulators/faketwilio"
	"github.com/caseline/caseline/store"
)

// dev runs everything in one process for a developer: the migrations, the demo data, the
// fake Twilio (unless TWILIO_API_URL points elsewhere), the gateway and the workers. self is
// how the newcomer runs this program again, for the phone simulator.
func dev(ctx context.Context, cfg config, log zerolog.Logger, stdout io.Writer, self string) error {
	if err := migrate(ctx, cfg.DatabaseURL, "up", stdout, log); err != nil {
		return err
	}
	var extra []component
	fakeURL := cfg.TwilioAPIURL
	if fakeURL == "" {
		ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.FakeTwilioAddr)
		if err != nil {
			return fmt.Errorf("fake twilio: %w", err)
		}
		fakeURL = "http://" + ln.Addr().String()
		cfg.TwilioAPIURL = fakeURL
		fake := faketwilio.New(faketwilio.Options{AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken,
			Numbers: cfg.accountNumbers(), Services: cfg.accountServices()})
		extra = append(extra, fakeTwilioComponent(ln, fake, log))
	}
	w, err := seed(ctx, cfg, log)
	if err != nil {
		return err
	}
	if err := printDemo(stdout, cfg, self, fakeURL, w); err != nil {
		return err
	}
	return runRoles(ctx, cfg, log, roles{gateway: true, workers: true, before: extra})
}

// selfCommand is the command that runs this program again: the path it was started by
// (bin/caseline, as scripts/dev.sh builds it), or `go run ./cmd/caseline` for a binary that
// `go run` built in a temporary directory, or a bare name.
func selfCommand(arg0 string) string {
	if !strings.Contains(arg0, "/") || strings.HasPrefix(arg0, os.TempDir()) {
		return "go run ./cmd/caseline"
	}
	return arg0
}

// seed writes the demo data through a short-lived connection.
func seed(ctx context.Context, cfg config, log zerolog.Logger) (demoWorld, error) {
	pool, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return demoWorld{}, err
	}
	defer pool.Close()
	clock := care.SystemClock{}
	return seedDemo(ctx, store.New(pool, clock, store.WithReview(cfg.ReviewInterval, cfg.Location)), cfg.Location, clock.Now())
}

// fakeTwilioComponent serves the fake Twilio REST API on ln.
func fakeTwilioComponent(ln net.Listener, fake *faketwilio.Server, log zerolog.Logger) component {
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	var wg sync.WaitGroup
	return component{
		name: "fake twilio",
		start: func(_ context.Context, fail func(error)) error {
			log.Info().Str("addr", ln.Addr().String()).Msg("fake twilio listening")
			wg.Go(func() {
				if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
					fail(fmt.Errorf("fake twilio: %w", err))
				}
			})
			return nil
		},
		stop: func(ctx context.Context) error {
			err := srv.Shutdown(ctx)
			wg.Wait()
			return err
		},
	}
}
