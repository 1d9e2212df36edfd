package workers

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// The caregiver's SMS fits one GSM-7 segment without diacritics and three with, whatever the
// person's name.
func TestUnreachableCaregiverTextFits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Nguyễn Thị Phương ", 4)
	for _, lang := range []care.Language{care.Vietnamese, care.English} {
		for _, keep := range []bool{false, true} {
			text := smsText(unreachableCaregiverText(lang, long), keep)
			m := flows.MeasureSMS(text)
			require.LessOrEqual(t, m.Segments, 3, text)
			if !keep {
				require.Equal(t, flows.GSM7, m.Encoding, text)
				require.Equal(t, 1, m.Segments, text)
			}
		}
	}
}
