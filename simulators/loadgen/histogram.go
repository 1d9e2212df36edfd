package loadgen

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram is log-linear, like HDR: values below 2·subBuckets nanoseconds get a bucket
// each, and every power of two above is split into subBuckets buckets, so a bucket is at most
// 1/128 (0.8 %) of its value wide. Values from 2^(maxShift+subBits+1) ns (about 4.9 h) on land
// in the last bucket.
const (
	subBits    = 7
	subBuckets = 1 << subBits
	maxShift   = 36
	nBuckets   = 2*subBuckets + maxShift*subBuckets
)

// histogram records durations from many goroutines without locks.
type histogram struct {
	counts [nBuckets]atomic.Int64
	n      atomic.Int64
	sum    atomic.Int64
	max    atomic.Int64
}

func bucketOf(v int64) int {
	if v < 2*subBuckets {
		return int(max(v, 0))
	}
	shift := bits.Len64(uint64(v)) - subBits - 1 // v>>shift is in [subBuckets, 2·subBuckets)
	if shift > maxShift {
		return nBuckets - 1
	}
	return 2*subBuckets + (shift-1)*subBuckets + int(v>>shift) - subBuckets
}

// bucketTop is the largest value that falls in bucket i.
func bucketTop(i int) int64 {
	if i < 2*subBuckets {
		return int64(i)
	}
	shift := (i-2*subBuckets)/subBuckets + 1
	mant := int64((i-2*subBuckets)%subBuckets + subBuckets)
	return (mant+1)<<shift - 1
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// quantile returns the value at or below which a share q of the recorded values lie, as the
// top of its bucket (never above the largest value recorded).
func (h *histogram) quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := int64(q*float64(n) + 0.5)
	rank = min(max(rank, 1), n)
	var seen int64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(min(bucketTop(i), h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

func (h *histogram) latency() Latency {
	l := Latency{
		P50: h.quantile(0.50),
		P95: h.quantile(0.95),
		P99: h.quantile(0.99),
		Max: time.Duration(h.max.Load()),
	}
	if n := h.n.Load(); n > 0 {
		l.Mean = time.Duration(h.sum.Load() / n)
	}
	return l
}
