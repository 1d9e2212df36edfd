package gateway

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Check reports whether one dependency answers; nil means it does. It must return once ctx
// is done.
type Check func(ctx context.Context) error

// Degraded is what a check returns for a part that works around a failure: /readyz reports
// it as "degraded: reason" and still answers 200, since requests are still taken.
type Degraded string

// Error returns the reason.
func (d Degraded) Error() string { return string(d) }

// checkTimeout bounds each readiness check: a probe that hangs is as bad as one that fails.
const checkTimeout = 2 * time.Second

// healthz answers 200 "ok" while the process can serve HTTP at all.
func healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	})
}

// readyz runs every check at once, each under checkTimeout, and answers 200 with
// {"name":"ok",...} when all pass ("degraded: reason" for one that returned Degraded), or 503
// with "down: reason" for each that failed.
func readyz(checks map[string]Check) http.Handler {
	names := slices.Sorted(maps.Keys(checks))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
				defer cancel()
				errs[i] = checks[name](ctx)
			})
		}
		wg.Wait()

		status := http.StatusOK
		report := make(map[string]string, len(names))
		down := zerolog.Dict()
		for i, name := range names {
			report[name] = "ok"
			var degraded Degraded
			if errors.As(errs[i], &degraded) {
				report[name] = "degraded: " + degraded.Error()
				continue
			}
			if errs[i] != nil {
				status = http.StatusServiceUnavailable
				report[name] = "down: " + errs[i].Error()
				down.Str(name, errs[i].Error())
			}
		}
		if status != http.StatusOK {
			zerolog.Ctx(r.Context()).Warn().Dict("down", down).Msg("not ready")
		}
		JSON(w, r, status, report)
	})
}
