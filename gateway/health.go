package gateway

import (
	"context"
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
// {"name":"ok",...} when all pass, or 503 with "down: reason" for each that failed.
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
