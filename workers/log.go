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

// ServerConfig returns the asynq server configuration the workers are meant to run with:
// the queues' weights, a retry delay capped at a minute (the dispatcher brings back anything
// that is still due anyway), and asynq's own logs through log.
func ServerConfig(log zerolog.Logger, concurrency int) asynq.Config {
	l := log.With().Str("component", "asynq").Logger()
	return asynq.Config{
		Concurrency: concurrency,
		Queues:      Queues,
		RetryDelayFunc: func(n int, _ error, _ *asynq.Task) time.Duration {
			return min(time.Duration(1)<<min(n, 6)*time.Second, time.Minute)
		},
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			n, _ := asynq.GetRetryCount(ctx)
			id, _ := asynq.GetTaskID(ctx)
			l.Warn().Err(err).Str("task", id).Int("retry", n).Msg("task failed")
		}),
		// Tasks due at a time (a deadline, a climb) start within a second of it, not five.
		DelayedTaskCheckInterval: time.Second,
		Logger:                   asynqLogger{l},
		LogLevel:                 asynq.WarnLevel,
		ShutdownTimeout:          20 * time.Second,
	}
}

// logTasks puts a logger naming the task into each task's context and logs failures; no
// payload or message body is logged.
func logTasks(log zerolog.Logger) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			id, _ := asynq.GetTaskID(ctx)
			l := log.With().Str("task", id).Str("type", t.Type()).Logger()
			err := next.ProcessTask(l.WithContext(ctx), t)
			if err != nil && !errors.Is(err, context.Canceled) {
				l.Warn().Err(err).Msg("task error")
			}
			return err
		})
	}
}
