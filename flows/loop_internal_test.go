package flows

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLoopHistory(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a, b := loopHash("xin chao"), loopHash("OK")
	// history replays texts a minute apart, ending a minute before now.
	history := func(texts ...uint32) string {
		v := ""
		for i, x := range texts {
			at := now.Add(-time.Duration(len(texts)-i) * time.Minute)
			v = parseLoop(v, at).with(x, at)
		}
		return v
	}
	tests := []struct {
		name  string
		value string
		text  uint32
		want  int
	}{
		{"nothing yet", "", a, 0},
		{"five identical", history(a, a, a, a, a), a, 5},
		{"another text is not counted", history(a, a, a), b, 0},
		{"alternating texts are both counted", history(a, b, a, b, a, b, a, b, a, b), a, 5},
		{"a cycle of six texts is counted", history(cycle(6, 5)...), loopHash("text 0"), 5},
		{"repeats among 24 other texts are counted", history(append(cycle(24, 1), a, a, a, a, a)...), a, 5},
		{"older than an hour is forgotten", parseLoop("", now).with(a, now.Add(-61*time.Minute)), a, 0},
		{"exactly an hour old still counts", parseLoop("", now).with(a, now.Add(-time.Hour)), a, 1},
		{"damaged entries are skipped", "zz@1,1@x,noat," + history(a), a, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, parseLoop(tc.value, now).count(tc.text))
		})
	}
}

// cycle is n different texts, each k times in turn.
func cycle(n, k int) []uint32 {
	var out []uint32
	for range k {
		for i := range n {
			out = append(out, loopHash(fmt.Sprintf("text %d", i)))
		}
	}
	return out
}

func TestLoopHistoryKeepsAtMostLoopKeep(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	v := ""
	for i := range 3 * loopKeep {
		v = parseLoop(v, now).with(uint32(i), now)
	}
	h := parseLoop(v, now)
	require.Len(t, h, loopKeep)
	require.Equal(t, uint32(3*loopKeep-1), h[len(h)-1].hash, "the newest is kept")
}
