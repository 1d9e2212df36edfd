package flows

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// wireText lays a reply out as each channel's provider gets it.
func TestWireText(t *testing.T) {
	t.Parallel()
	menu := Prompt{Text: "Xin chào.", Expect: ExpectChoice, Language: care.Vietnamese,
		Options: []Option{{Key: "1", Label: "Đăng ký"}, {Key: "2", Label: "Giúp đỡ"}}}
	tests := []struct {
		name string
		ch   care.Channel
		r    Reply
		want string
	}{
		{"sms without diacritics", care.ChannelSMS, Reply{Prompt: menu}, "Xin chao.\n1 Dang ky\n2 Giup do"},
		{"sms keeps diacritics when asked", care.ChannelSMS, Reply{Prompt: menu, Diacritics: true}, "Xin chào.\n1 Đăng ký\n2 Giúp đỡ"},
		{"silent sms", care.ChannelSMS, Reply{Prompt: menu, Silent: true}, ""},
		{"ussd menu continues", care.ChannelUSSD, Reply{Prompt: menu}, "CON Xin chao.\n1 Dang ky\n2 Giup do"},
		{"ussd diacritics go even when asked", care.ChannelUSSD, Reply{Prompt: menu, Diacritics: true}, "CON Xin chao.\n1 Dang ky\n2 Giup do"},
		{"ussd question continues", care.ChannelUSSD, Reply{Prompt: Prompt{Text: "Họ tên?", Expect: ExpectText}}, "CON Ho ten?"},
		{"ussd end", care.ChannelUSSD, Reply{Prompt: Prompt{Text: "Đã đăng ký. Mã 4821.", End: true}}, "END Da dang ky. Ma 4821."},
		{"ussd nothing asked ends", care.ChannelUSSD, Reply{Prompt: Prompt{Text: "Cảm ơn."}}, "END Cam on."},
		{"voice says the text and the options", care.ChannelVoice, Reply{Prompt: menu}, "Xin chào. Đăng ký, bấm 1. Giúp đỡ, bấm 2."},
		{"voice keys after the options", care.ChannelVoice, Reply{Prompt: menu, Keys: []Option{{Key: "*", Label: "Nghe lại"}}},
			"Xin chào. Đăng ký, bấm 1. Giúp đỡ, bấm 2. Nghe lại, bấm sao."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, wireText(tt.ch, tt.r))
		})
	}
}
