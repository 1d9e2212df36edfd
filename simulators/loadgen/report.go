package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Latency summarises how long answered requests took, from sending to the whole reply read.
type Latency struct {
	P50, P95, P99, Max, Mean time.Duration
}

// Report is what a run did and how fast the service answered.
type Report struct {
	// Mode is "closed" (Workers each waiting for their answer) or "open" (a target rate).
	Mode string
	// Workers is the closed loop's concurrency, or the open loop's in-flight limit.
	Workers int
	// Rate is the open loop's target, jobs per second.
	Rate float64
	// Elapsed is how long the run took, from the first request to the last answer.
	Elapsed time.Duration
	// Jobs is how many SMS and USSD sessions were started.
	Jobs int64
	// Requests is how many HTTP requests got an answer or failed (aborted ones excluded).
	Requests int64
	// OK is how many requests got a well-formed 200 answer.
	OK int64
	// Errors counts failed requests by kind: "http 403", "http 500", "timeout",
	// "transport", "protocol" (a 200 that is not TwiML or CON/END).
	Errors map[string]int64
	// Dropped is how many open-loop jobs were not started because the in-flight limit was
	// reached: the service fell behind the target rate.
	Dropped int64
	// Aborted is how many requests were cut off by the run's deadline or cancellation.
	Aborted int64
	// Throughput is OK requests per second of Elapsed.
	Throughput float64
	// Latency is over every request that got an HTTP answer, OK or not.
	Latency Latency
}

// ErrorCount is the number of failed requests of every kind.
func (r Report) ErrorCount() int64 {
	var n int64
	for _, c := range r.Errors {
		n += c
	}
	return n
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// Line is the report on one line, for logs and benchmarks.
func (r Report) Line() string {
	return fmt.Sprintf("%s loop: %d req in %s, %.0f msg/s, p50 %s p95 %s p99 %s max %s, %d errors, %d dropped",
		r.Mode, r.Requests, r.Elapsed.Round(time.Millisecond), r.Throughput,
		ms(r.Latency.P50), ms(r.Latency.P95), ms(r.Latency.P99), ms(r.Latency.Max), r.ErrorCount(), r.Dropped)
}

// String is the report on several lines, for people.
func (r Report) String() string {
	var b strings.Builder
	switch r.Mode {
	case "open":
		fmt.Fprintf(&b, "mode        open loop, target %.0f jobs/s, at most %d in flight\n", r.Rate, r.Workers)
	default:
		fmt.Fprintf(&b, "mode        closed loop, %d workers\n", r.Workers)
	}
	fmt.Fprintf(&b, "elapsed     %s\n", r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "jobs        %d (SMS and USSD sessions)\n", r.Jobs)
	fmt.Fprintf(&b, "requests    %d, %d ok\n", r.Requests, r.OK)
	fmt.Fprintf(&b, "throughput  %.1f msg/s\n", r.Throughput)
	fmt.Fprintf(&b, "latency     p50 %s  p95 %s  p99 %s  max %s  mean %s\n",
		ms(r.Latency.P50), ms(r.Latency.P95), ms(r.Latency.P99), ms(r.Latency.Max), ms(r.Latency.Mean))
	fmt.Fprintf(&b, "errors      %d", r.ErrorCount())
	for _, k := range slices.Sorted(maps.Keys(r.Errors)) {
		fmt.Fprintf(&b, "  %s: %d", k, r.Errors[k])
	}
	b.WriteString("\n")
	if r.Dropped > 0 || r.Mode == "open" {
		fmt.Fprintf(&b, "dropped     %d (in-flight limit reached)\n", r.Dropped)
	}
	if r.Aborted > 0 {
		fmt.Fprintf(&b, "aborted     %d (cut off at the deadline)\n", r.Aborted)
	}
	return b.String()
}

// jsonReport is Report's JSON form: durations in milliseconds.
type jsonReport struct {
	Mode         string           `json:"mode"`
	Workers      int              `json:"workers"`
	Rate         float64          `json:"rate,omitempty"`
	ElapsedMS    float64          `json:"elapsed_ms"`
	Jobs         int64            `json:"jobs"`
	Requests     int64            `json:"requests"`
	OK           int64            `json:"ok"`
	Errors       map[string]int64 `json:"errors"`
	Dropped      int64            `json:"dropped"`
	Aborted      int64            `json:"aborted"`
	Throughput   float64          `json:"msgs_per_s"`
	LatencyP50MS float64          `json:"latency_p50_ms"`
	LatencyP95MS float64          `json:"latency_p95_ms"`
	LatencyP99MS float64          `json:"latency_p99_ms"`
	LatencyMaxMS float64          `json:"latency_max_ms"`
	LatencyAvgMS float64          `json:"latency_mean_ms"`
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// MarshalJSON writes the report with snake_case names and durations in milliseconds.
func (r Report) MarshalJSON() ([]byte, error) {
	errs := r.Errors
	if errs == nil {
		errs = map[string]int64{}
	}
	return json.Marshal(jsonReport{
		Mode: r.Mode, Workers: r.Workers, Rate: r.Rate, ElapsedMS: msf(r.Elapsed),
		Jobs: r.Jobs, Requests: r.Requests, OK: r.OK, Errors: errs, Dropped: r.Dropped, Aborted: r.Aborted,
		Throughput:   r.Throughput,
		LatencyP50MS: msf(r.Latency.P50), LatencyP95MS: msf(r.Latency.P95), LatencyP99MS: msf(r.Latency.P99),
		LatencyMaxMS: msf(r.Latency.Max), LatencyAvgMS: msf(r.Latency.Mean),
	})
}

// WriteJSON writes the report as one indented JSON object.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
