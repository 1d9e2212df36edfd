// Package storetest gives each test its own PostgreSQL database, migrated, so tests run in
// parallel and in any order against the real thing. The first test of a run builds a
// template database from the embedded migrations (once per set of migration files, under an
// advisory lock shared by every test process); each test then gets a fresh copy of it,
// dropped at cleanup. NewRedisDB does the same for Redis: a database index leased to one test.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/migrations"
	"github.com/caseline/caseline/store"
)

// DefaultAdminURL is a role that may create databases; scripts/services.sh sets it up.
const DefaultAdminURL = "postgres://caseline:caseline@127.0.0.1:5432/postgres?sslmode=disable"

// AdminURL returns TEST_DATABASE_URL or the default.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// NewDatabase creates a fresh migrated database for t and returns its URL; it is dropped
// when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	templateOnce.Do(func() { templateName, templateErr = buildTemplate(ctx) })
	if templateErr != nil {
		t.Fatalf("test database template: %v (is PostgreSQL running? try `bash scripts/services.sh`)", templateErr)
	}
	return createDatabase(t, " TEMPLATE "+templateName)
}

// NewEmptyDatabase creates a database without any table for t, as a new deployment starts
// with, and returns its URL; it is dropped when the test ends.
func NewEmptyDatabase(t testing.TB) string {
	t.Helper()
	return createDatabase(t, "")
}

// createDatabase runs CREATE DATABASE with the options given and drops the database at
// cleanup.
func createDatabase(t testing.TB, options string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v (is PostgreSQL running? try `bash scripts/services.sh`)", err)
	}
	defer admin.Close(ctx)
	name := "caseline_t_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+options); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if err := dropDatabase(ctx, c, name); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return withDatabase(AdminURL(), name)
}

// dropDatabase drops a test database and ends its connections. FORCE may not end an
// autovacuum worker that happens to be in it (PostgreSQL 15 asks for pg_signal_backend,
// which the caseline role lacks): such a worker soon moves on, so the drop is tried again.
func dropDatabase(ctx context.Context, c *pgx.Conn, name string) error {
	var err error
	for range 100 {
		_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" { // insufficient_privilege
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// NewPool returns a pool on a fresh migrated database for t, closed at cleanup.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := NewDatabase(t)
	pool, err := store.Open(context.Background(), url, zerolog.Nop())
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// buildTemplate makes the template database for the current migrations if no test process
// made it yet.
func buildTemplate(ctx context.Context) (string, error) {
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer admin.Close(ctx)
	// The template's tables belong to the role that built it, so a template built through
	// another TEST_DATABASE_URL role would be unreadable: the role is part of its name.
	var role string
	if err := admin.QueryRow(ctx, "SELECT current_user").Scan(&role); err != nil {
		return "", fmt.Errorf("role: %w", err)
	}
	roleSum := sha256.Sum256([]byte(role))
	name := "caseline_tmpl_" + sum[:12] + "_" + hex.EncodeToString(roleSum[:])[:6]
	// Test binaries of several packages run at once: one builds, the others wait.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(4242)") //nolint:errcheck
	var ready bool
	err = admin.QueryRow(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	if err == nil && ready {
		return name, nil
	}
	// A half-built template (a crashed run) is rebuilt.
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop stale template: %w", err)
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	pool, err := store.Open(ctx, withDatabase(AdminURL(), name), zerolog.Nop())
	if err != nil {
		return "", err
	}
	m, err := store.NewMigrator(pool)
	if err == nil {
		_, err = m.Up(ctx)
		m.Close()
	}
	pool.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" IS_TEMPLATE true"); err != nil {
		return "", fmt.Errorf("mark template: %w", err)
	}
	return name, nil
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// withDatabase swaps the database name in a postgres:// URL.
func withDatabase(url, name string) string {
	base, query, _ := strings.Cut(url, "?")
	i := strings.LastIndex(base, "/")
	if i < len("postgres://") {
		base += "/"
		i = len(base) - 1
	}
	out := base[:i+1] + name
	if query != "" {
		out += "?" + query
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
