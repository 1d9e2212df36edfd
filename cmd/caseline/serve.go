package main

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"time"

	"github.com/caseline/caseline/gateway"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway/spool"
	"github.com/caseline/caseline/store"
)

// roles says which long-running parts a process runs.
type roles struct {
	gateway bool // the gateway's routes on LISTEN_ADDR; without it, only the probes and /metrics
	workers bool // the asynq task workers
	// before are started ahead of the workers and the gateway (dev's fake Twilio).
	before []component
}

// runRoles opens PostgreSQL and Redis, runs the parts r asks for until ctx is done, and
// then stops everything in reverse order.
func runRoles(ctx context.Context, cfg config, log zerolog.Logger, r roles) error {
	pool, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	rdb, err := openRedis(cfg.RedisURL)
	if err != nil {
		pool.Close()
		return err
	}
	cs := []component{
		{name: "postgresql", stop: func(context.Context) error { pool.Close(); return nil }},
		{name: "redis", stop: func(context.Context) error { return rdb.Close() }},
	}
	cs = append(cs, r.before...)
	st := store.New(pool, care.SystemClock{}, store.WithReview(cfg.ReviewInterval, cfg.Location))
	if r.workers {
		deps, err := workerDeps(cfg, log, st, rdb, care.SystemClock{})
		if err != nil {
			pool.Close()
			rdb.Close()
			return err
		}
		cs = append(cs, workerComponent(rdb, log, deps), dispatcherComponent(deps), upkeepComponent(deps))
	}
	// Every process answers HTTP on LISTEN_ADDR: work only /healthz, /readyz and /metrics,
	// for its orchestrator (compose, systemd, a load balancer) to probe. It starts last, so
	// a process is ready only once everything it runs has started.
	reg := newRegistry(st, log)
	deps := httpDeps(log, reg, pool, rdb)
	if r.gateway {
		sp, err := spool.Open(cfg.SpoolDir, care.SystemClock{}, reg, log)
		if err != nil {
			pool.Close()
			rdb.Close()
			return err
		}
		engine, err := addGateway(cfg, log, st, sp, care.SystemClock{}, &deps)
		if err != nil {
			sp.Close()
			pool.Close()
			rdb.Close()
			return err
		}
		cs = append(cs, component{name: "spool", stop: func(context.Context) error { return sp.Close() }},
			replayComponent(sp, engine, st))
	}
	cs = append(cs, httpComponent(cfg.ListenAddr, gateway.NewHandler(deps), log))
	return runComponents(ctx, log, cs)
}

// httpComponent serves h on addr. It logs the address it bound (which tells a caller the
// port when addr asks for any free one, ":0"), and on stop lets requests in flight finish.
func httpComponent(addr string, h http.Handler, log zerolog.Logger) component {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          stdlog.New(log.With().Str("component", "http").Logger(), "", 0),
	}
	done := make(chan struct{})
	return component{
		name: "http",
		start: func(ctx context.Context, fail func(error)) error {
			ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
			if err != nil {
				return err
			}
			log.Info().Str("addr", ln.Addr().String()).Msg("listening")
			go func() {
				defer close(done)
				if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
					fail(fmt.Errorf("serve http: %w", err))
				}
			}()
			return nil
		},
		stop: func(ctx context.Context) error {
			err := srv.Shutdown(ctx)
			if err != nil {
				err = errors.Join(err, srv.Close())
			}
			<-done
			return err
		},
	}
}

// replayComponent runs the spool's replayer: what the gateway spooled while the database was
// away (this process's, or a previous run's) goes through the normal turn once it is back.
func replayComponent(sp *spool.Spool, engine spool.Engine, st spool.Store) component {
	return loopComponent("spool replayer", func(ctx context.Context) error {
		sp.Replay(ctx, engine, st)
		return nil
	})
}
