package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// workerComponent runs an asynq server on rdb (which it shares, and does not close) with
// the task handlers from newTaskMux. It checks Redis answers before it starts, since asynq
// itself would only log the failure and retry.
func workerComponent(rdb *redis.Client, log zerolog.Logger) component {
	var srv *asynq.Server
	return component{
		name: "workers",
		start: func(ctx context.Context, _ func(error)) error {
			pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := rdb.Ping(pingCtx).Err(); err != nil {
				return fmt.Errorf("connect to redis: %w", err)
			}
			srv = asynq.NewServerFromRedisClient(rdb, asynq.Config{
				// Handlers get a context with the process logger but not its cancellation:
				// on shutdown asynq lets them finish for ShutdownTimeout, then requeues.
				BaseContext:     func() context.Context { return context.WithoutCancel(ctx) },
				ShutdownTimeout: stopTimeout / 2,
				Logger:          asynqLogger{log.With().Str("component", "asynq").Logger()},
				LogLevel:        asynq.InfoLevel,
				ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
					retried, _ := asynq.GetRetryCount(ctx)
					maxRetry, _ := asynq.GetMaxRetry(ctx)
					zerolog.Ctx(ctx).Warn().Err(err).Str("task", t.Type()).
						Int("retried", retried).Int("max_retry", maxRetry).Msg("task failed")
				}),
			})
			return srv.Start(newTaskMux(log))
		},
		// asynq's Shutdown takes no context; it is bounded by ShutdownTimeout and, past
		// that, by the watchdog.
		stop: func(context.Context) error { srv.Shutdown(); return nil },
	}
}

// newTaskMux returns the mux the workers serve, with a logger naming the task in every
// handler's context. Task handlers register on it here (a workers.Register(mux, deps) call)
// as the workers are built; until then it has none.
func newTaskMux(log zerolog.Logger) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			id, _ := asynq.GetTaskID(ctx)
			l := log.With().Str("task", t.Type()).Str("task_id", id).Logger()
			return next.ProcessTask(l.WithContext(ctx), t)
		})
	})
	return mux
}

// asynqLogger sends asynq's own log lines to zerolog.
type asynqLogger struct{ log zerolog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug().Msg(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.log.Info().Msg(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn().Msg(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.log.Error().Msg(fmt.Sprint(args...)) }

// Fatal logs and exits with status 1, as asynq.Logger requires.
func (l asynqLogger) Fatal(args ...any) { l.log.Fatal().Msg(fmt.Sprint(args...)) }
