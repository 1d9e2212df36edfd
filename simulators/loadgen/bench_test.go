//go:build unix

package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time, user and system, this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkClosedLoop measures the generator's own ceiling: signed SMS webhooks against a
// handler that answers a constant TwiML, client and server in one process. Besides req/s it
// reports the CPU time client and server together spend per request, which holds when the
// machine is shared: 2 cores / cpu-µs/req is the rate both could reach on two free cores,
// and the generator's share is the larger part of it. Run it with a fixed count so it
// stays short:
//
//	go test -run '^$' -bench ClosedLoop -benchtime 100000x ./simulators/loadgen/
func BenchmarkClosedLoop(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"sms/32", Options{Workers: 32}},
		{"ussd/32", Options{Workers: 32, USSDShare: 1, USSDInputs: []string{"1", "2"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			twiml := []byte(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>Menu</Message></Response>`)
			con := []byte("CON Menu\n1 One\n2 Two")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if r.URL.Path == "/twilio/sms" {
					w.Header().Set("Content-Type", "text/xml")
					_, _ = w.Write(twiml)
					return
				}
				_, _ = w.Write(con)
			}))
			defer srv.Close()
			o := bc.opts
			o.BaseURL, o.AuthToken, o.USSDToken, o.Count = srv.URL, "token", "t", b.N
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime(b)
			rep, err := Run(context.Background(), o)
			cpu := cpuTime(b) - cpu0
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			if rep.ErrorCount() > 0 {
				b.Fatalf("errors: %v", rep.Errors)
			}
			b.ReportMetric(float64(rep.Requests)/rep.Elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(rep.Latency.P99.Microseconds()), "p99-µs")
			b.ReportMetric(float64(cpu.Microseconds())/float64(rep.Requests), "cpu-µs/req")
			b.Log(rep.Line())
		})
	}
}
