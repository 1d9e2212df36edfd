package flows

import (
	"strings"
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
		{"", "", ""},
		{"Nguyễn Văn A", "", ""},
		// Cancel, never opt-out: what Vietnamese speakers type to leave a menu.
		{"HUY", kwCancel, ""},
		{"huy", kwCancel, ""},
		{"HỦY", kwCancel, ""},
		{"huỷ", kwCancel, ""},
		{"Hủy!", kwCancel, ""},
		{"DUNG", kwCancel, ""},
		{"dừng", kwCancel, ""},
		{"thôi", kwCancel, ""},
		{"Thoát", kwCancel, ""},
		{"quay lại", kwCancel, ""},
		{"trở lại", kwCancel, ""},
		{"back", kwCancel, ""},
		{"exit", kwCancel, ""},
		// … but only those words: with other diacritics they are other words.
		{"Đúng", "", ""},  // right, yes
		{"Dũng", "", ""},  // a name
		{"dùng", "", ""},  // to use
		{"Thời", "", ""},  // time
		{"Hùy", "", ""},   // not a word
		{"huyy", "", ""},  // cancel words take no typo
		{"dungg", "", ""}, // nor this one
		// The carriers' opt-out words stop at once; the explicit opt-out asks first.
		{"stop", kwStop, ""},
		{"STOP!", kwStop, ""},
		{"unsubscribe", kwStop, ""},
		{"cancel", kwLeave, ""}, // STOP between conversations, "back to the menu" inside one
		{"Quit!", kwLeave, ""},
		{"end", kwLeave, ""},
		{"stop all", kwStop, ""},
		{"ngừng nhận tin", kwOptOut, ""},
		{"NGUNG NHAN TIN", kwOptOut, ""},
		{"ngungnhantin", kwOptOut, ""},
		{"Stop messages", kwOptOut, ""},
		// No typo ever makes an opt-out, not even the one that asks first.
		{"ngung nhan tim", "", ""},
		{"ngug nhan tin", "", ""},
		{"stop message", "", ""},
		{"stop messagess", "", ""},
		{"CANCLE", "", ""},
		{"QUITT", "", ""},
		{"ENDD", "", ""},
		{"STPO", "", ""},
		{"ngừng", "", ""},
		// One typo forgiven in keywords of four letters or more.
		{"GUIP", kwHelp, ""},  // two letters swapped
		{"GIUPP", kwHelp, ""}, // one too many
		{"GIPU", kwHelp, ""},  // swapped at the end
		{"giu p", kwHelp, ""}, // a space too many
		{"gíup", kwHelp, ""},
		{"HEPL", kwHelp, ""},
		{"HELPP", kwHelp, ""},
		{"MENUU", kwMenu, ""},
		{"mneu", kwMenu, ""},
		{"MEN", "", ""}, // too short for a typo
		{"STAUTS", kwStatus, ""},
		{"statu", kwStatus, ""},
		{"dang kyy", kwRegister, ""},
		{"dnag ky", kwRegister, ""},
		{"REGISTRE", kwRegister, ""},
		{"bat daw", kwStart, ""},
		{"STRAT", kwStart, ""},
		{"ENGLSH", kwEnglish, ""},
		{"tieng viet nam", "", ""}, // three letters more
		// Refused: two typos, short words, an immediate opt-out, names and words that are
		// themselves.
		{"GUIPP", "", ""},
		{"GIP", "", ""},
		{"DKK", "", ""},
		{"SHOP", "", ""}, // never STOP by a guess
		{"STEP", "", ""},
		{"STOPP", "", ""},
		{"UNSUBSCRIB", "", ""},
		{"Giáp", "", ""}, // a name one letter from GIUP
		{"GIAP", "", ""},
		{"Hùng", "", ""},
		{"Tùng", "", ""},
		{"Minh", "", ""},
		{"Hương", "", ""},
		{"Mến", "", ""},
		{"Bạch", "", ""},
		{"Dương", "", ""},
		{"Đông", "", ""},
		{"Khôi", "", ""},
		{"Huệ", "", ""},
		{"Tâm", "", ""},
		{"Lan", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			kw, arg := matchKeyword(tt.in, true)
			require.Equal(t, tt.want, kw)
			require.Equal(t, tt.arg, arg)
		})
	}
}

func TestNoTypoWhileAwaitingText(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"GUIP", "GIUPP", "Mneu", "STRAT"} {
		kw, _ := matchKeyword(in, false)
		require.Empty(t, kw, "%s is taken as written where a name or a description is awaited", in)
	}
	for in, want := range map[string]keyword{"GIUP": kwHelp, "Hủy": kwCancel, "STOP": kwStop} {
		kw, _ := matchKeyword(in, false)
		require.Equal(t, want, kw, "%s as written is still a keyword", in)
	}
}

// TestCommonNamesAreNotKeywords sends common Vietnamese given names and surnames, and
// everyday words, alone, as someone asked for a name might: none may become a keyword by a
// forgiven typo.
func TestCommonNamesAreNotKeywords(t *testing.T) {
	t.Parallel()
	names := strings.Fields(`An Anh Bảo Bích Bình Châu Chi Cúc Cường Đạt Điệp Đức Dung Dũng Duy Giang Giáp
		Hà Hải Hạnh Hào Hậu Hiền Hiếu Hòa Hoa Hoàng Hồng Huệ Hùng Hưng Hương Hường Huyền Khánh Khoa
		Khôi Lâm Lan Liên Linh Loan Long Lụa Mai Minh My Nam Nga Ngân Nghĩa Ngọc Nhàn Nhung Oanh Phúc
		Phương Quân Quang Quỳnh Sơn Tâm Thắm Thành Thảo Thịnh Thơ Thu Thủy Tiến Toàn Trang Trinh Trung
		Tú Tuấn Tùng Tuyết Vân Việt Vinh Xuân Yến Nguyễn Trần Lê Phạm Hoàng Phan Vũ Võ Đặng Bùi Đỗ
		Hồ Ngô Dương Lý Đinh Mạc Tạ Tô Khúc Giúp Ghi Giữa Giầy Họp Giao Hẹn Đúng Không Có Vâng Dạ`)
	for _, n := range names {
		kw, _ := matchKeyword(n, true)
		if NormalizeKeyword(n) == "GIUP" || NormalizeKeyword(n) == "HUY" {
			continue // the keywords themselves
		}
		if n == "Dung" {
			require.Equal(t, kwCancel, kw, "DUNG, as written without diacritics, cancels")
			continue
		}
		require.Empty(t, kw, "%s would be taken for a keyword", n)
	}
}

func TestOneEdit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"GIUP", "GIUP", false},
		{"GIUP", "GUIP", true},
		{"GIUP", "GIPU", true},
		{"GIUP", "GIUPP", true},
		{"GIUPP", "GIUP", true},
		{"GIUP", "IUP", true},
		{"GIUP", "GIAP", true},
		{"GIUP", "UGIP", false},
		{"GIUP", "PUIG", false},
		{"GIUP", "GIUPPP", false},
		{"GIUP", "GAUQ", false},
		{"", "A", true},
		{"", "", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, oneEdit([]rune(tt.a), []rune(tt.b)), "%q %q", tt.a, tt.b)
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
	p := Prompt{Text: "Mọi việc thế nào?", Options: []Option{{Key: "1", Label: "Tôi ổn"}, {Key: "2", Label: "Tôi cần giúp đỡ"}}}
	require.Equal(t, "Moi viec the nao?\n1 Toi on\n2 Toi can giup do", SMSText(p, false))
	require.Equal(t, "Mọi việc thế nào?\n1 Tôi ổn\n2 Tôi cần giúp đỡ", SMSText(p, true))
	require.Equal(t, "Mọi việc thế nào?\n1 Tôi ổn\n2 Tôi cần giúp đỡ", USSDText(p))
}

// BenchmarkMatchKeyword is the price of keyword matching on every SMS turn: an exact
// keyword, a forgiven typo, and a text that is none (the whole typo search).
func BenchmarkMatchKeyword(b *testing.B) {
	for _, in := range []string{"GIUP", "GUIP", "Lê Văn Cường"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				matchKeyword(in, true)
			}
		})
	}
}
