package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/pgx/v5/tracelog"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/migrations"
)

// Open connects a pool to the database at url. Slow or failed queries are logged at warn
// level through log, without their arguments (they carry phone numbers and message bodies).
func Open(ctx context.Context, url string, log zerolog.Logger) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// The gateway holds a connection for a turn's two round trips and the Go work between
	// them, and waits for the commit's flush; the default (4) starves the workers and the
	// gateway when they share one process. Eight per core: on 2 cores, with 32 concurrent
	// webhooks, 16 connections answered 7 % more SMS a second than 8 (PostgreSQL sat idle
	// between turns), 32 fewer again (contention), 4 stalled behind slow commits. Cores as Go
	// counts them (GOMAXPROCS follows a container's CPU limit), and at most 32, so that serve
	// and work together stay under PostgreSQL's default max_connections (100) on big hosts.
	// pool_max_conns in DATABASE_URL overrides it.
	if n := int32(min(32, max(16, 8*runtime.GOMAXPROCS(0)))); cfg.MaxConns < n && !hasParam(url, "pool_max_conns") {
		cfg.MaxConns = n
	}
	cfg.MaxConnLifetime = time.Hour
	cfg.ConnConfig.Tracer = &tracelog.TraceLog{
		LogLevel: tracelog.LogLevelWarn,
		Logger: tracelog.LoggerFunc(func(ctx context.Context, level tracelog.LogLevel, msg string, data map[string]any) {
			delete(data, "args")
			// tracelog's "time" is the query's duration; under that name it would clash
			// with zerolog's timestamp.
			if d, ok := data["time"]; ok {
				delete(data, "time")
				data["dur"] = d
			}
			log.WithLevel(zerologLevel(level)).Fields(data).Msg(msg)
		}),
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return pool, nil
}

func hasParam(url, name string) bool {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return false
	}
	_, ok := cfg.RuntimeParams[name]
	return ok
}

func zerologLevel(l tracelog.LogLevel) zerolog.Level {
	switch l {
	case tracelog.LogLevelError:
		return zerolog.ErrorLevel
	case tracelog.LogLevelWarn:
		return zerolog.WarnLevel
	case tracelog.LogLevelInfo:
		return zerolog.InfoLevel
	default:
		return zerolog.DebugLevel
	}
}

// Migrator applies the embedded migrations under a PostgreSQL advisory lock, so replicas
// starting together migrate once.
type Migrator struct {
	db       *sql.DB
	provider *goose.Provider
}

// NewMigrator prepares migrations for the database the pool connects to. Close it after use.
func NewMigrator(pool *pgxpool.Pool) (*Migrator, error) {
	db := stdlib.OpenDBFromPool(pool)
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return &Migrator{db: db, provider: p}, nil
}

// Up applies every pending migration and returns how many it applied.
func (m *Migrator) Up(ctx context.Context) (int, error) {
	res, err := m.provider.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate up: %w", err)
	}
	return len(res), nil
}

// Down rolls back the newest migration.
func (m *Migrator) Down(ctx context.Context) error {
	if _, err := m.provider.Down(ctx); err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every migration and whether it is applied.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version: s.Source.Version, Name: s.Source.Path,
			Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// Close releases the migrator's database handle (not the pool).
func (m *Migrator) Close() error { return m.db.Close() }
