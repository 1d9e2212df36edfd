package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"
)

// asynqLogger makes asynq log through zerolog.
type asynqLogger struct{ l zerolog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug().Msg(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info().Msg(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn().Msg(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error().Msg(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Fatal().Msg(fmt.Sprint(args...)) }

// ServerConfig returns an asynq server configuration for the workers: Configure's settings,
// concurrency, and asynq's own logs and task failures through log.
func ServerConfig(log zerolog.Logger, concurrency int) asynq.Config {
	l := log.With().Str("component", "asynq").Logger()
	return Configure(asynq.Config{
		Concurrency: concurrency,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			n, _ := asynq.GetRetryCount(ctx)
			id, _ := asynq.GetTaskID(ctx)
			l.Warn().Err(err).Str("task", t.Type()).Str("task_id", id).Int("retried", n).Msg("task failed")
		}),
		Logger:          asynqLogger{l},
		LogLevel:        asynq.WarnLevel,
		ShutdownTimeout: 20 * time.Second,
	})
}

// Configure adds what the workers need to an asynq server configuration built elsewhere,
// keeping what is set: both queues (a server without QueueCritical never runs a check-in or
// an escalation, whose ids then stay taken), a retry delay capped at a minute (the dispatcher
// brings back whatever is still due anyway), and a half-second check for delayed tasks, so a
// deadline or a climb starts within half a second of its time rather than five: a missed
// check-in's SMS must reach the case manager within 3 s of its deadline at p99, and this
// wait is the largest fixed part of that (three small Redis scripts a second).
func Configure(cfg asynq.Config) asynq.Config {
	queues := map[string]int{}
	for q, w := range cfg.Queues {
		queues[q] = w
	}
	for q, w := range Queues {
		if queues[q] <= 0 {
			queues[q] = w
		}
	}
	cfg.Queues = queues
	if cfg.RetryDelayFunc == nil {
		cfg.RetryDelayFunc = func(n int, _ error, _ *asynq.Task) time.Duration {
			return min(time.Duration(1)<<min(n, 6)*time.Second, time.Minute)
		}
	}
	if cfg.DelayedTaskCheckInterval <= 0 {
		cfg.DelayedTaskCheckInterval = 500 * time.Millisecond
	}
	return cfg
}

// logTasks puts a logger naming the task into each task's context and logs failures; no
// payload or message body is logged.
func logTasks(log zerolog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			id, _ := asynq.GetTaskID(ctx)
			l := log.With().Str("task", t.Type()).Str("task_id", id).Logger()
			err := next.ProcessTask(l.WithContext(ctx), t)
			if err != nil && !errors.Is(err, context.Canceled) {
				l.Warn().Err(err).Msg("task error")
			}
			return err
		})
	}
}
