package flows

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeywordMatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want keyword
		arg  string
	}{
		{"giup", kwHelp, ""},
		{"GIÚP", kwHelp, ""},
		{"Giúp", kwHelp, ""},
		{"  giúp   đỡ! ", kwHelp, ""},
		{"HELP", kwHelp, ""},
		{"sos", kwHelp, ""},
		{"DK", kwRegister, ""},
		{"đăng ký", kwRegister, ""},
		{"Dang  Ky", kwRegister, ""},
		{"reg", kwRegister, ""},
		{"tt", kwStatus, ""},
		{"Status.", kwStatus, ""},
		{"HỦY", kwStop, ""},
		{"huỷ", kwStop, ""},
		{"stop", kwStop, ""},
		{"bắt đầu", kwStart, ""},
		{"START", kwStart, ""},
		{"Menu", kwMenu, ""},
		{"vi", kwVietnamese, ""},
		{"EN", kwEnglish, ""},
		{"XN 4821", kwAck, "4821"},
		{"xn   4821", kwAck, "4821"},
		{"ACK 4821", kwAck, "4821"},
		{"ack4821", kwAck, "4821"},
		{"XN #4821", kwAck, "4821"},
		{"XN", "", ""},
		{"XN abc", "", ""},
		{"giup toi voi", "", ""},
		{"1", "", ""},
		{"Đúng", "", ""},
		{"", "", ""},
		{"Nguyễn Văn A", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			kw, arg := matchKeyword(tt.in)
			require.Equal(t, tt.want, kw)
			require.Equal(t, tt.arg, arg)
		})
	}
}

func TestUSSDPages(t *testing.T) {
	t.Parallel()
	p := Prompt{Text: "Một hai ba bốn năm sáu bảy tám chín mười", Options: []Option{{Key: "1", Label: "Có"}, {Key: "2", Label: "Không"}}, End: true}
	tests := []struct {
		limit int
		pages int
	}{{160, 1}, {40, 3}, {30, 5}}
	for _, tt := range tests {
		pages := ussdPages(p, tt.limit, "Thêm", "Quay lại")
		require.Len(t, pages, tt.pages, "limit %d", tt.limit)
		var words []string
		var keys []string
		for i, pg := range pages {
			require.LessOrEqual(t, len([]rune(USSDText(pg))), tt.limit)
			require.Equal(t, i == len(pages)-1, pg.End, "only the last screen ends the session")
			if pg.Text != "" {
				words = append(words, pg.Text)
			}
			for _, o := range pg.Options {
				keys = append(keys, o.Key)
			}
		}
		require.Equal(t, p.Text, joinWords(words))
		require.Contains(t, keys, "1")
		require.Contains(t, keys, "2")
		if tt.pages > 1 {
			require.Equal(t, USSDMoreKey, pages[0].Options[len(pages[0].Options)-1].Key)
			require.Equal(t, USSDBackKey, pages[1].Options[len(pages[1].Options)-1].Key)
		}
	}
}

func joinWords(w []string) string {
	out := ""
	for i, s := range w {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}

func TestVoicePagesKeepFiveOptionsAtMost(t *testing.T) {
	t.Parallel()
	p := Prompt{Text: "Chọn"}
	for _, k := range []string{"1", "2", "3", "4", "5", "6"} {
		p.Options = append(p.Options, Option{Key: k, Label: "x"})
	}
	pages := voicePages(p, "Thêm", "Khác:")
	require.Len(t, pages, 2)
	require.Equal(t, []Option{{Key: "1", Label: "x"}, {Key: "2", Label: "x"}, {Key: "3", Label: "x"}, {Key: "4", Label: "x"}, {Key: VoiceMoreKey, Label: "Thêm"}}, pages[0].Options)
	require.Equal(t, []Option{{Key: "5", Label: "x"}, {Key: "6", Label: "x"}, {Key: VoiceMoreKey, Label: "Thêm"}}, pages[1].Options)
}

func TestSMSTextLayout(t *testing.T) {
	t.Parallel()
	p := Prompt{Text: "Bạn có khỏe không?", Options: []Option{{Key: "1", Label: "Tôi ổn"}, {Key: "2", Label: "Tôi cần giúp đỡ"}}}
	require.Equal(t, "Ban co khoe khong?\n1 Toi on\n2 Toi can giup do", SMSText(p, false))
	require.Equal(t, "Bạn có khỏe không?\n1 Tôi ổn\n2 Tôi cần giúp đỡ", SMSText(p, true))
	require.Equal(t, "Bạn có khỏe không?\n1 Tôi ổn\n2 Tôi cần giúp đỡ", USSDText(p))
}

func TestApologyIsFinalInBothLanguages(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	vi, en := e.Apology(""), e.Apology("en")
	require.True(t, vi.End)
	require.Equal(t, "vi", string(vi.Language))
	require.NotEqual(t, vi.Text, en.Text)
	require.Equal(t, 1, MeasureSMS(SMSText(en, false)).Segments)
	require.Len(t, e.VoiceKeys("en"), 3)
}
