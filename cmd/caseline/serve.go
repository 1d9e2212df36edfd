package main

import (
	"context"
	"errors"
	"fmt"
	stdlog "log"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway/spool"
	"github.com/caseline/caseline/store"
)

// roles says which long-running parts a process runs.
type roles struct {
	gateway bool // the HTTP gateway on LISTEN_ADDR
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
	st := store.New(pool, care.SystemClock{})
	if r.workers {
		deps, err := workerDeps(cfg, log, st, rdb, care.SystemClock{})
		if err != nil {
			pool.Close()
			rdb.Close()
			return err
		}
		cs = append(cs, workerComponent(rdb, log, deps), dispatcherComponent(deps))
	}
	if r.gateway {
		reg := newRegistry(st, log)
		sp, err := spool.Open(cfg.SpoolDir, care.SystemClock{}, reg, log)
		if err != nil {
			pool.Close()
			rdb.Close()
			return err
		}
		h, engine, err := gatewayHandler(cfg, log, pool, rdb, st, reg, sp, care.SystemClock{})
		if err != nil {
			sp.Close()
			pool.Close()
			rdb.Close()
			return err
		}
		cs = append(cs, component{name: "spool", stop: func(context.Context) error { return sp.Close() }},
			httpComponent(cfg.ListenAddr, h, log), replayComponent(sp, engine, st))
	}
	return runComponents(ctx, log, cs)
}

// openRedis returns a client for url; it connects on first use.
func openRedis(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	return redis.NewClient(opt), nil
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
