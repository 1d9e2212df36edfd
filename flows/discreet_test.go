package flows

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestIndiscreet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want string
	}{
		{"Bạn có đang gặp nguy hiểm không?", "nguy hiểm"},
		{"Ban co dang gap nguy hiem khong?", "nguy hiểm"},
		{"5 Bạo lực, xâm hại, phân biệt đối xử", "bạo lực"},
		{"5 Bao luc, xam hai, phan biet doi xu", "bạo lực"},
		{"XÂM HẠI", "xâm hại"},
		{"Chồng tôi đánh tôi", "đánh tôi"},
		{"chong toi danh toi", "đánh tôi"},
		{"Con bị đánh đập", "đánh đập"},
		{"Bị bạo hành ở nhà", "bạo hành"},
		{"bị lạm dụng", "lạm dụng"},
		{"Báo cáo của bạn đã được gửi", "báo cáo"},
		{"nạn nhân", "nạn nhân"},
		{"Violence, abuse, discrimination", "violen*"},
		{"Your ABUSE report", "abus*"},
		{"the abuser", "abus*"},
		{"Are you in danger now?", "danger*"},
		{"Are you safe?", "safe"},
		{"We received your report.", "report*"},
		{"someone hurt you", "hurt*"},
		{"Your request was received. Ref 12.", ""},
		{"Yêu cầu của bạn đã được nhận. Mã số: 12.", ""},
		{"5 Viec rieng, giu kin", ""},
		{"Đánh giá nhu cầu", ""},                         // "đánh giá", to assess: not "đánh"
		{"Danh sách hai việc", ""},                       // "danh" and "hai" alone are harmless
		{"Bảo hiểm y tế", ""},                            // "bảo", not "bạo lực"
		{"Bạn có cần giúp gấp, ngay bây giờ không?", ""}, // the SMS "in danger?"
		{"Do you need help urgently, right now?", ""},
		{"Hit the road", "hit"},
		{"White", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Indiscreet(tt.text))
		})
	}
}

// TestEverySMSPromptIsDiscreet renders every prompt of every flow an SMS reaches — every
// state, every help category, every notice, both languages, with and without diacritics —
// and runs it through the discretion check: an SMS thread stays on the phone, where the
// person reported may read it.
func TestEverySMSPromptIsDiscreet(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	checked := 0
	walkPrompts(e, care.HelpCategories, func(r rendering) {
		if r.ch != care.ChannelSMS {
			return
		}
		for _, diacritics := range []bool{false, true} {
			text := SMSText(r.p, diacritics)
			require.Empty(t, Indiscreet(text), "%s: %q", r.where(), text)
			checked++
		}
	})
	require.Greater(t, checked, 500, "the walk reached the prompts")
}

// TestSafetyCategoryIsNamedOnlyWhereNothingStays checks the choice made for the safety
// category: harmless by SMS, recognisable (and still naming no violence) on USSD and voice.
func TestSafetyCategoryIsNamedOnlyWhereNothingStays(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	for _, lang := range []care.Language{care.Vietnamese, care.English} {
		label := map[care.Channel]string{}
		for _, ch := range []care.Channel{care.ChannelSMS, care.ChannelUSSD, care.ChannelVoice} {
			s := worstStep(e, flowHelp, stCategory, ch, lang, care.HelpAbuse)
			p := s.render()
			i := slices.Index(care.HelpCategories, care.HelpAbuse)
			label[ch] = p.Options[i].Label
		}
		require.Equal(t, label[care.ChannelUSSD], label[care.ChannelVoice])
		require.NotEqual(t, label[care.ChannelSMS], label[care.ChannelUSSD], "the SMS label is the harmless one")
		require.Empty(t, Indiscreet(label[care.ChannelSMS]))
		for _, w := range []string{"bạo lực", "xâm hại", "violence", "abuse"} {
			require.NotContains(t, label[care.ChannelUSSD], w)
		}
	}
}
