package loadgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHistogramPercentiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values func(record func(time.Duration))
		want   Latency
	}{
		{name: "uniform 1..10000 µs", values: func(rec func(time.Duration)) {
			for i := 10000; i >= 1; i-- {
				rec(time.Duration(i) * time.Microsecond)
			}
		}, want: Latency{P50: 5 * time.Millisecond, P95: 9500 * time.Microsecond, P99: 9900 * time.Microsecond, Max: 10 * time.Millisecond, Mean: 5000500 * time.Nanosecond}},
		{name: "99 fast, 1 slow", values: func(rec func(time.Duration)) {
			for range 99 {
				rec(time.Millisecond)
			}
			rec(time.Second)
		}, want: Latency{P50: time.Millisecond, P95: time.Millisecond, P99: time.Millisecond, Max: time.Second, Mean: 10990 * time.Microsecond}},
		{name: "small values are exact", values: func(rec func(time.Duration)) {
			for i := 1; i <= 100; i++ {
				rec(time.Duration(i))
			}
		}, want: Latency{P50: 50, P95: 95, P99: 99, Max: 100, Mean: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h histogram
			tt.values(h.record)
			got := h.latency()
			for _, c := range []struct {
				name      string
				got, want time.Duration
			}{{"p50", got.P50, tt.want.P50}, {"p95", got.P95, tt.want.P95}, {"p99", got.P99, tt.want.P99}} {
				// A bucket is at most 1/128 of its value wide, and quantiles report its top.
				require.GreaterOrEqual(t, c.got, c.want, c.name)
				require.LessOrEqual(t, float64(c.got), float64(c.want)*(1+1.0/128), c.name)
			}
			require.Equal(t, tt.want.Max, got.Max)
			require.Equal(t, tt.want.Mean, got.Mean)
		})
	}
}

func TestHistogramEmpty(t *testing.T) {
	t.Parallel()
	var h histogram
	require.Equal(t, Latency{}, h.latency())
}

func TestBuckets(t *testing.T) {
	t.Parallel()
	prev := -1
	for v := int64(0); v < 1<<45; v = v + 1 + v/97 {
		b := bucketOf(v)
		require.GreaterOrEqual(t, b, prev, "buckets grow with values (%d)", v)
		require.Less(t, b, nBuckets)
		prev = b
		if b == nBuckets-1 {
			continue // the overflow bucket
		}
		top := bucketTop(b)
		require.GreaterOrEqual(t, top, v)
		require.Equal(t, b, bucketOf(top), "the top of a bucket is in it (%d)", v)
		require.NotEqual(t, b, bucketOf(top+1), "the top is the last value of the bucket (%d)", v)
		require.LessOrEqual(t, float64(top-v), float64(v)/128+1, "bucket width (%d)", v)
	}
}
