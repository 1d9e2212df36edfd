package phone

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInteractive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		want  []string // fragments of the output, in order
		texts []string // USSD texts the service saw
	}{
		{
			name: "sms",
			in:   "help\nsms DK\nsms QUIET\nsms BROKEN\nquit\n",
			want: []string{"commands:", "✉  Tên của bạn là gì?", "(no reply)", "⚠ the service answered HTTP 500"},
		},
		{
			name:  "ussd: bare input answers the open session",
			in:    "ussd *123#\nhangup\nussd *123#\n1\n2\n3\n",
			want:  []string{"┌─ CON", "(hung up)", "│ Chào mừng", "+84901234567 ussd> ", "text=1", "text=1*2", "┌─ END", "│ Cảm ơn. text=1*2*3", "(session ended)", "+84901234567> "},
			texts: []string{"", "", "1", "1*2", "1*2*3"},
		},
		{
			name: "voice: wait, then a digit",
			in:   "call\nwait\n0\n",
			want: []string{"🔊 Chào mừng đến Caseline.", "(press a key, or wait: 12 s)", "call> ", "🔊 Xin lỗi, tôi chưa nghe thấy.", "📞 connecting you to +84912345678"},
		},
		{
			name: "switch phones, unknown commands",
			in:   "phone +84912000111\nsms hi\n5\nphone bad\nussd\n",
			want: []string{"+84912000111> ", "✉  echo hi", `unknown command "5"`, "error: new phone", "usage: ussd"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, opts := setup(t)
			var out strings.Builder
			err := Interactive(context.Background(), opts, strings.NewReader(tt.in), &out)
			require.NoError(t, err)
			rest := out.String()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				require.GreaterOrEqual(t, i, 0, "%q not found in order in:\n%s", w, out.String())
				rest = rest[i+len(w):]
			}
			require.Equal(t, tt.texts, f.texts)
		})
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"ngắn", []string{"ngắn"}},
		{"một hai ba bốn năm sáu bảy tám chín mười", []string{"một hai ba bốn năm sáu bảy tám", "chín mười"}},
		{strings.Repeat("x", 40), []string{strings.Repeat("x", 32), strings.Repeat("x", 8)}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, wrap(tt.in, screenWidth))
		})
	}
}
