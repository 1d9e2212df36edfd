package care_test

import (
	"fmt"
	"testing"

	"github.com/caseline/caseline/care"
	"github.com/stretchr/testify/require"
)

func TestParsePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want care.Phone
		err  bool
	}{
		{in: "0901234567", want: "+84901234567"},
		{in: "84901234567", want: "+84901234567"},
		{in: "+84901234567", want: "+84901234567"},
		{in: "+84 90 123 4567", want: "+84901234567"},
		{in: "090-123-4567", want: "+84901234567"},
		{in: "(090) 123.4567", want: "+84901234567"},
		{in: "0084901234567", want: "+84901234567"},
		{in: " 0912345678 ", want: "+84912345678"},
		{in: "01621234567", want: "+84321234567"},   // Viettel 0162 → 032
		{in: "841691234567", want: "+84391234567"},  // Viettel 0169 → 039
		{in: "+841201234567", want: "+84701234567"}, // MobiFone 0120 → 070
		{in: "01231234567", want: "+84831234567"},   // VinaPhone 0123 → 083
		{in: "01861234567", want: "+84561234567"},   // Vietnamobile 0186 → 056
		{in: "01991234567", want: "+84591234567"},   // Gmobile 0199 → 059
		{in: "0321234567", want: "+84321234567"},
		{in: "02439421234", want: "+842439421234"}, // Hà Nội landline
		{in: "+14155552671", want: "+14155552671"}, // a caregiver abroad
		{in: "", err: true},
		{in: "abc", err: true},
		{in: "090123", err: true},
		{in: "09012345678901", err: true},
		{in: "+84", err: true},
		{in: "0901234567x", err: true},
		{in: "1*2*3", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := care.ParsePhone(tt.in)
			if tt.err {
				require.Error(t, err)
				require.Equal(t, care.EINVALID, care.ErrorCode(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestPhoneMasksItselfInLogs(t *testing.T) {
	t.Parallel()
	p := care.MustParsePhone("0901234567")
	require.Equal(t, "+84******567", p.String())
	require.Equal(t, "+84******567", fmt.Sprintf("%v", p))
	require.Equal(t, "+84901234567", p.E164())
	v, err := p.Value()
	require.NoError(t, err)
	require.Equal(t, "+84901234567", v)
}
