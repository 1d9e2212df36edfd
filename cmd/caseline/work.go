package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/workers"
)

// workerComponent runs an asynq server on rdb (which it shares, and does not close) with
// the workers' task handlers. It checks Redis answers before it starts, since asynq itself
// would only log the failure and retry.
func workerComponent(rdb *redis.Client, log zerolog.Logger, deps workers.Deps) component {
	var srv *asynq.Server
	return component{
		name: "workers",
		start: func(ctx context.Context, _ func(error)) error {
			if err := pingRedis(ctx, rdb); err != nil {
				return err
			}
			mux, err := workers.NewMux(deps)
			if err != nil {
				return err
			}
			cfg := workers.ServerConfig(log, 0)
			// Handlers get a context with the process logger but not its cancellation:
			// on shutdown asynq lets them finish for ShutdownTimeout, then requeues.
			cfg.BaseContext = func() context.Context { return context.WithoutCancel(ctx) }
			cfg.ShutdownTimeout = stopTimeout / 2
			srv = asynq.NewServerFromRedisClient(rdb, cfg)
			if err := srv.Start(mux); err != nil {
				return err
			}
			log.Info().Str("component", "workers").Msg("task workers started")
			return nil
		},
		// asynq's Shutdown takes no context; it is bounded by ShutdownTimeout and, past
		// that, by the watchdog.
		stop: func(context.Context) error { srv.Shutdown(); return nil },
	}
}

// dispatcherComponent runs the dispatcher that moves due work from PostgreSQL into asynq.
// Several processes may run one: a PostgreSQL advisory lock lets one pass run at a time.
func dispatcherComponent(deps workers.Deps) component {
	var d *workers.Dispatcher
	c := loopComponent("dispatcher", func(ctx context.Context) error { return d.Run(ctx) })
	start := c.start
	c.start = func(ctx context.Context, fail func(error)) error {
		var err error
		if d, err = workers.NewDispatcher(deps, deps.Enqueuer); err != nil {
			return err
		}
		return start(ctx, fail)
	}
	return c
}

// upkeepComponent runs the message log's upkeep job (partitions ahead, retention, expired
// sessions) every hour in each work process; its steps are idempotent.
func upkeepComponent(deps workers.Deps) component {
	var u *workers.Upkeep
	c := loopComponent("upkeep", func(ctx context.Context) error { return u.Run(ctx) })
	start := c.start
	c.start = func(ctx context.Context, fail func(error)) error {
		var err error
		if u, err = workers.NewUpkeep(deps); err != nil {
			return err
		}
		return start(ctx, fail)
	}
	return c
}

func pingRedis(ctx context.Context, rdb *redis.Client) error {
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		return fmt.Errorf("connect to redis: %w", err)
	}
	return nil
}
