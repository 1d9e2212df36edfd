package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/gateway"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop()})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "ok", rec.Body.String())
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	ok := func(context.Context) error { return nil }
	refused := func(context.Context) error { return errors.New("connection refused") }
	hangs := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	spooling := func(context.Context) error { return gateway.Degraded("spooling") }
	tests := []struct {
		name   string
		checks map[string]gateway.Check
		status int
		want   map[string]string
	}{
		{"all up", map[string]gateway.Check{"postgresql": ok, "redis": ok}, 200,
			map[string]string{"postgresql": "ok", "redis": "ok"}},
		{"postgresql down", map[string]gateway.Check{"postgresql": refused, "redis": ok}, 503,
			map[string]string{"postgresql": "down: connection refused", "redis": "ok"}},
		{"both down", map[string]gateway.Check{"postgresql": refused, "redis": refused}, 503,
			map[string]string{"postgresql": "down: connection refused", "redis": "down: connection refused"}},
		{"a hanging check times out", map[string]gateway.Check{"postgresql": ok, "redis": hangs}, 503,
			map[string]string{"postgresql": "ok", "redis": "down: context deadline exceeded"}},
		{"degraded is still ready", map[string]gateway.Check{"postgresql": ok, "spool": spooling}, 200,
			map[string]string{"postgresql": "ok", "spool": "degraded: spooling"}},
		{"degraded and down", map[string]gateway.Check{"postgresql": refused, "spool": spooling}, 503,
			map[string]string{"postgresql": "down: connection refused", "spool": "degraded: spooling"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), Ready: tt.checks})
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			require.Less(t, time.Since(start), 5*time.Second, "checks are bounded by a short timeout")
			require.Equal(t, tt.status, rec.Code)
			require.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
			var got map[string]string
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			require.Equal(t, tt.want, got)
		})
	}
}

func TestReadyzRunsChecksConcurrently(t *testing.T) {
	t.Parallel()
	// Each check passes only once all three are running: run one after another, the first
	// would wait out its timeout and report the dependency down.
	var running atomic.Int32
	all := make(chan struct{})
	together := func(ctx context.Context) error {
		if running.Add(1) == 3 {
			close(all)
		}
		select {
		case <-all:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), Ready: map[string]gateway.Check{"a": together, "b": together, "c": together}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}
