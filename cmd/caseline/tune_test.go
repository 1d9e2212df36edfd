package main

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTuneRuntime changes process-wide settings, so it is not parallel (parallel tests wait
// for the sequential ones) and puts them back.
func TestTuneRuntime(t *testing.T) {
	gc := debug.SetGCPercent(100)
	procs := runtime.GOMAXPROCS(0)
	t.Cleanup(func() {
		debug.SetGCPercent(gc)
		runtime.GOMAXPROCS(procs)
	})
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}

	tuneRuntime([]string{"caseline", "serve"}, env(nil))
	require.Equal(t, 400, debug.SetGCPercent(100), "serve collects at 400 %")
	tuneRuntime([]string{"caseline", "dev"}, env(map[string]string{"GOGC": "100"}))
	require.Equal(t, 100, debug.SetGCPercent(100), "GOGC set: left alone")

	tuneRuntime([]string{"caseline", "load"}, env(nil))
	require.Equal(t, 1, runtime.GOMAXPROCS(procs), "load runs on one thread")
	tuneRuntime([]string{"caseline", "load"}, env(map[string]string{"GOMAXPROCS": "2"}))
	require.Equal(t, procs, runtime.GOMAXPROCS(0), "GOMAXPROCS set: left alone")

	tuneRuntime([]string{"caseline", "migrate", "up"}, env(nil))
	tuneRuntime([]string{"caseline"}, env(nil))
	require.Equal(t, 100, debug.SetGCPercent(100), "other commands keep the defaults")
	require.Equal(t, procs, runtime.GOMAXPROCS(0))
}
