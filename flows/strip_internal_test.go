package flows

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// TestStripDiacriticsTableAgreesWithTheTransform checks the fast path against the full
// Unicode transform: every rune the table covers, every catalog prompt, and random mixes of
// ASCII, covered runes, combining marks and other scripts.
func TestStripDiacriticsTableAgreesWithTheTransform(t *testing.T) {
	t.Parallel()
	var covered []rune
	for r := rune(0); r < stripLimit; r++ {
		if stripTable[r] != 0 {
			covered = append(covered, r)
			require.Equal(t, stripDiacriticsFull(string(r)), StripDiacritics(string(r)), "%U", r)
		}
	}
	require.Greater(t, len(covered), 130, "Vietnamese's letters are covered")
	for _, r := range "ăâđêôơưĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ" {
		require.NotZero(t, stripTable[r], "%c", r)
	}
	for _, text := range newCatalog() {
		for _, s := range text {
			require.Equal(t, stripDiacriticsFull(s), StripDiacritics(s), s)
		}
	}
	pool := append([]rune("aAzZ09 .,*#\n"), covered...)
	pool = append(pool, 0x301, 0x323, 0x309, 0x2DC, 0x1100, 0x1161, 0x0B47, 0x0B3E, 'ﬁ', 'Å', 'Ω', '€', utf8.RuneError)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteRune(pool[rng.IntN(len(pool))])
		}
		s := b.String()
		require.Equal(t, stripDiacriticsFull(s), StripDiacritics(s), "%q", s)
	}
	for _, s := range []string{"", "abc", "\xff", "a\xffb", "Giu\u0301p", "ố\u0301"} {
		require.Equal(t, stripDiacriticsFull(s), StripDiacritics(s), "%q", s)
	}
}

func BenchmarkStripDiacritics(b *testing.B) {
	s := "Chào bạn. Trả lời số:\n1 Đăng ký\n2 Kế hoạch của tôi\n3 Cần giúp đỡ\n4 Ngôn ngữ"
	for b.Loop() {
		StripDiacritics(s)
	}
}

func BenchmarkStripDiacriticsFull(b *testing.B) {
	s := "Chào bạn. Trả lời số:\n1 Đăng ký\n2 Kế hoạch của tôi\n3 Cần giúp đỡ\n4 Ngôn ngữ"
	for b.Loop() {
		stripDiacriticsFull(s)
	}
}
