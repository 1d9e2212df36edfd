package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // TIMEZONE loads even where the system has no zoneinfo

	"github.com/mattn/go-isatty"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	// After the first signal a second one kills at once, as it would without us.
	context.AfterFunc(ctx, stop)
	tuneRuntime(os.Args, os.Getenv)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "caseline: %v\n", err)
		os.Exit(exitCode(err))
	}
}

// tuneRuntime sets the Go runtime for the command, unless GOGC or GOMAXPROCS say otherwise.
// It lives in main, not run, because it changes the whole process (tests call run).
//   - The gateway's live heap is small (a few MiB) and every webhook allocates: collecting at
//     400 % instead of 100 % took about a tenth off the gateway's CPU per message in make
//     bench's SMS load (256 → 231 µs), for a peak RSS of about 70 MiB instead of 37.
//   - The load generator shares the machine with what it measures: on one thread it spent
//     about an eighth less CPU per request (73 → 64 µs; no hand-offs between threads),
//     leaving more to the gateway and PostgreSQL.
func tuneRuntime(args []string, getenv func(string) string) {
	if len(args) < 2 {
		return
	}
	switch args[1] {
	case "serve", "work", "dev":
		if getenv("GOGC") == "" {
			debug.SetGCPercent(400)
		}
	case "load":
		if getenv("GOMAXPROCS") == "" {
			runtime.GOMAXPROCS(1)
		}
	}
}

const usage = `Caseline: SMS, USSD and voice gateway for disability case management.

Usage: caseline <command>

Commands:
  serve            run the HTTP gateway on LISTEN_ADDR
  work             run the background task workers
  migrate up       apply every pending database migration
  migrate down     roll back the newest migration
  migrate status   list the migrations and whether each is applied
  dev              migrate up, then serve and work in one process, with development
                   defaults for the secrets
  phone [flags] [script FILE]
                   a feature phone: SMS, USSD and voice against the local gateway,
                   interactive or replaying a script (see simulators/phone)
  load [flags]     the load generator: signed SMS webhooks and USSD sessions
  token create PHONE [LABEL] | token list PHONE | token revoke ID
                   case-manager API tokens
  prompts check [-audio DIR] [DIR]
                   check prompt files (vi.yaml, en.yaml in DIR; else PROMPTS_DIR or
                   the shipped ones) and recordings (PROMPT_AUDIO_DIR): exit 1 naming
                   each prompt that breaks a rule
  prompts list [DIR]
                   every prompt id, its channels and its text in each language
  health           exit 0 if the serve, work or dev process on LISTEN_ADDR is ready
                   (its /readyz answers 200), 1 if not: a container's health check
  help             show this text

Configuration comes from the environment; see README.md.
`

// usageError is a mistake in how caseline was called or configured. It exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitCode is 0 for nil, 2 for a usage or configuration error and 1 for anything else.
func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	default:
		return 1
	}
}

// run is the whole program, callable from tests: args are os.Args, getenv reads the
// environment. It returns when the command is done or, for the long-running ones, when ctx
// is cancelled and everything has stopped.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return usagef("no command given; try `caseline help`")
	}
	command, rest := args[1], args[2:]
	switch command {
	case "help", "-h", "-help", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	case "migrate":
		if len(rest) != 1 || (rest[0] != "up" && rest[0] != "down" && rest[0] != "status") {
			return usagef("migrate takes one of up, down, status")
		}
	case "serve", "work", "dev", "health":
		if len(rest) != 0 {
			return usagef("%s takes no arguments", command)
		}
	case "phone", "load", "token", "prompts":
	default:
		return usagef("unknown command %q; try `caseline help`", command)
	}

	cfg, err := loadConfig(getenv, command)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	ctx = log.WithContext(ctx)
	log.Debug().Str("command", command).Str("timezone", cfg.Location.String()).
		Str("listen_addr", cfg.ListenAddr).Str("public_base_url", cfg.PublicBaseURL).Msg("config")

	switch command {
	case "migrate":
		return migrate(ctx, cfg.DatabaseURL, rest[0], stdout, log)
	case "serve":
		return runRoles(ctx, cfg, log, roles{gateway: true})
	case "work":
		return runRoles(ctx, cfg, log, roles{workers: true})
	case "phone":
		return phoneCommand(ctx, cfg, rest, stdin, stdout)
	case "load":
		return loadCommand(ctx, cfg, rest, stdout)
	case "token":
		return tokenCommand(ctx, cfg, log, rest, stdout)
	case "prompts":
		return promptsCommand(cfg, rest, stdout)
	case "health":
		return healthCommand(ctx, cfg, stdout)
	default: // dev
		return dev(ctx, cfg, log, stdout, selfCommand(args[0]))
	}
}

// newLogger returns the process's logger: JSON lines on w, or a readable console format
// when w is a terminal. It also sets zerolog's process-wide settings, so that contexts
// without a logger still log and durations are in milliseconds, and go-redis's logger.
func newLogger(w io.Writer, level zerolog.Level) zerolog.Logger {
	if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		w = zerolog.ConsoleWriter{Out: f, TimeFormat: time.TimeOnly}
	}
	log := zerolog.New(w).Level(level).With().Timestamp().Logger()
	zerolog.DurationFieldUnit = time.Millisecond
	zerolog.DefaultContextLogger = &log
	redis.SetLogger(redisLogger{log.With().Str("component", "redis").Logger()})
	return log
}
