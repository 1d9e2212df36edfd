package care

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPhoneMemoParsesAsParsePhoneDoes(t *testing.T) {
	t.Parallel()
	m := NewPhoneMemo()
	for _, s := range []string{"+84901234567", "0901234567", "+84 90 123 4567", "+84901234567", "nope", "+1", ""} {
		want, wantErr := ParsePhone(s)
		for range 2 { // the second time from memory
			got, err := m.Parse(s)
			require.Equal(t, want, got, s)
			require.Equal(t, wantErr != nil, err != nil, s)
		}
	}
	require.Len(t, m.m, 3, "only valid numbers are kept, by how they were written")
	for i := range phoneMemoSize {
		m.m[strconv.Itoa(i)] = "+84901234567"
	}
	_, err := m.Parse("+84901234568")
	require.NoError(t, err)
	require.Len(t, m.m, 1, "a full memo starts afresh")
}
