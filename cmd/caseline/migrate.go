package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/store"
)

// migrate applies (up), rolls back (down) or lists (status) the database migrations and
// reports what it did on stdout.
func migrate(ctx context.Context, databaseURL, action string, stdout io.Writer, log zerolog.Logger) error {
	pool, err := store.Open(ctx, databaseURL, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := store.NewMigrator(pool)
	if err != nil {
		return err
	}
	defer m.Close()

	switch action {
	case "up":
		n, err := m.Up(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
		return err
	case "down":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		newest := ""
		for _, s := range st {
			if s.Applied {
				newest = s.Name
			}
		}
		if newest == "" {
			return fmt.Errorf("migrate down: no migration is applied")
		}
		if err := m.Down(ctx); err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "rolled back %s\n", newest)
		return err
	default: // status
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		for _, s := range st {
			state := "pending"
			if s.Applied {
				state = "applied " + s.AppliedAt.UTC().Format(time.DateTime)
			}
			if _, err := fmt.Fprintf(stdout, "%-27s %s\n", state, s.Name); err != nil {
				return err
			}
		}
		return nil
	}
}
