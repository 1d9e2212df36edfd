package twilio

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/twiml"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

func TestSMSText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		prompt     flows.Prompt
		diacritics bool
		want       string
	}{
		{"text only", flows.Prompt{Text: "Đã nhận. Mã 4821."}, false, "Da nhan. Ma 4821."},
		{"text and options", menu, false, "Xin chao.\n1 Dang ky\n2 Giup do"},
		{"with diacritics", menu, true, "Xin chào.\n1 Đăng ký\n2 Giúp đỡ"},
		{"options only", flows.Prompt{Options: []flows.Option{{Key: "1", Label: "Tôi ổn"}, {Key: "2", Label: "Cần giúp"}}}, false, "1 Toi on\n2 Can giup"},
		{"decomposed input comes out NFC", flows.Prompt{Text: "Giu\u0301p"}, true, "Giúp"},
		{"empty", flows.Prompt{}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, flows.SMSText(tt.prompt, tt.diacritics))
		})
	}
}

func TestRenderVoice(t *testing.T) {
	t.Parallel()
	six := flows.Prompt{Text: "Chọn.", Expect: flows.ExpectChoice, Options: []flows.Option{
		{Key: "1", Label: "Một"}, {Key: "2", Label: "Hai"}, {Key: "3", Label: "Ba"},
		{Key: "4", Label: "Bốn"}, {Key: "5", Label: "Năm"}, {Key: "6", Label: "Sáu"},
	}}
	tests := []struct {
		name  string
		reply flows.Reply
		style voiceStyle
		want  string
	}{
		{
			name:  "slow: one sentence at a time, longer wait",
			reply: flows.Reply{Prompt: menu, Step: 2}, style: voiceStyle{slow: true},
			want: `<Response><Gather input="dtmf" numDigits="1" timeout="20" method="POST" action="` + voice + `?step=2">` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Xin chào.</Say><Pause length="1"/>` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Đăng ký, bấm 1.</Say><Pause length="1"/>` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Giúp đỡ, bấm 2.</Say><Pause length="1"/></Gather>` +
				`<Redirect method="POST">` + voice + `?step=2&amp;noinput=1</Redirect></Response>`,
		},
		{
			name: "English options, star and zero",
			reply: flows.Reply{Step: 7, Prompt: flows.Prompt{Text: "Your plan.", Language: care.English, Expect: flows.ExpectChoice,
				Options: []flows.Option{{Key: "*", Label: "repeat"}, {Key: "0", Label: "to speak to a person"}}}},
			want: `<Response><Gather input="dtmf" numDigits="1" timeout="10" method="POST" action="` + voice + `?step=7">` +
				`<Say language="en-US" voice="Google.en-US-Standard-C">Your plan. For repeat, press star. To speak to a person, press 0.</Say></Gather>` +
				`<Redirect method="POST">` + voice + `?step=7&amp;noinput=1</Redirect></Response>`,
		},
		{
			name:  "the keys every menu has are said after its options",
			reply: flows.Reply{Prompt: menu, Step: 3, Keys: []flows.Option{{Key: "*", Label: "Nghe lại"}, {Key: "0", Label: "Gặp người hỗ trợ"}}},
			want: `<Response><Gather input="dtmf" numDigits="1" timeout="10" method="POST" action="` + voice + `?step=3">` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Xin chào. Đăng ký, bấm 1. Giúp đỡ, bấm 2. Nghe lại, bấm sao. Gặp người hỗ trợ, bấm 0.</Say></Gather>` +
				`<Redirect method="POST">` + voice + `?step=3&amp;noinput=1</Redirect></Response>`,
		},
		{
			name: "an option in another language is said by that language's voice",
			reply: flows.Reply{Step: 4, Prompt: flows.Prompt{Text: "Xin chào.", Language: care.Vietnamese, Expect: flows.ExpectChoice,
				Options: []flows.Option{{Key: "1", Label: "Đăng ký"}, {Key: "4", Label: "English", Language: care.English}}},
				Keys: []flows.Option{{Key: "*", Label: "Nghe lại"}}},
			want: `<Response><Gather input="dtmf" numDigits="1" timeout="10" method="POST" action="` + voice + `?step=4">` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Xin chào. Đăng ký, bấm 1.</Say>` +
				`<Say language="en-US" voice="Google.en-US-Standard-C">For English, press 4.</Say>` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Nghe lại, bấm sao.</Say></Gather>` +
				`<Redirect method="POST">` + voice + `?step=4&amp;noinput=1</Redirect></Response>`,
		},
		{
			name: "and in English, the Vietnamese option by the Vietnamese voice, slowly",
			reply: flows.Reply{Step: 4, Prompt: flows.Prompt{Text: "Hello.", Language: care.English, Expect: flows.ExpectChoice,
				Options: []flows.Option{{Key: "4", Label: "Tiếng Việt", Language: care.Vietnamese}}}},
			style: voiceStyle{slow: true},
			want: `<Response><Gather input="dtmf" numDigits="1" timeout="20" method="POST" action="` + voice + `?step=4">` +
				`<Say language="en-US" voice="Google.en-US-Standard-C">Hello.</Say><Pause length="1"/>` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Tiếng Việt, bấm 4.</Say><Pause length="1"/></Gather>` +
				`<Redirect method="POST">` + voice + `?step=4&amp;noinput=1</Redirect></Response>`,
		},
		{
			name:  "a PIN is gathered up to the hash key",
			reply: flows.Reply{Step: 1, Prompt: flows.Prompt{Text: "Nhập mã PIN, rồi bấm thăng.", Expect: flows.ExpectDigits}},
			want: `<Response><Gather input="dtmf" finishOnKey="#" timeout="10" method="POST" action="` + voice + `?step=1">` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Nhập mã PIN, rồi bấm thăng.</Say></Gather>` +
				`<Redirect method="POST">` + voice + `?step=1&amp;noinput=1</Redirect></Response>`,
		},
		{
			name:  "never more than five options said",
			reply: flows.Reply{Step: 1, Prompt: six},
			want: `<Response><Gather input="dtmf" numDigits="1" timeout="10" method="POST" action="` + voice + `?step=1">` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">Chọn. Một, bấm 1. Hai, bấm 2. Ba, bấm 3. Bốn, bấm 4. Năm, bấm 5.</Say></Gather>` +
				`<Redirect method="POST">` + voice + `?step=1&amp;noinput=1</Redirect></Response>`,
		},
		{
			name:  "nothing asked ends the call",
			reply: flows.Reply{Prompt: flows.Prompt{Text: "Cảm ơn."}},
			want:  `<Response><Say language="vi-VN" voice="Google.vi-VN-Standard-A">Cảm ơn.</Say><Hangup/></Response>`,
		},
		{
			name:  "silent hangs up",
			reply: flows.Reply{Silent: true, Prompt: menu},
			want:  `<Response><Hangup/></Response>`,
		},
		{
			name:  "slow end",
			reply: flows.Reply{Prompt: flows.Prompt{Text: "Tạm biệt.", End: true}}, style: voiceStyle{slow: true},
			want: `<Response><Say language="vi-VN" voice="Google.vi-VN-Standard-A">Tạm biệt.</Say><Pause length="1"/><Hangup/></Response>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := twiml.Voice(renderVoice(tt.reply, voice, tt.style))
			require.NoError(t, err)
			requireXML(t, tt.want, got)
		})
	}
}
