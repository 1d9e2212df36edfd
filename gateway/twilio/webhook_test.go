package twilio

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/gatewaytest"
)

const (
	person  = care.Phone("+84901234567")
	ourNum  = "+842873001234"
	voice   = testBase + "/twilio/voice"
	menuVI  = "Xin chào. Đăng ký, bấm 1. Giúp đỡ, bấm 2."
	apoSMS  = "Xin loi, he thong dang gap su co. Vui long thu lai sau. Sorry, something went wrong. Please try again later."
	noSig   = "-"
	badSig  = "vOEb5UThFn24KEfnOFLQY2AE5FY="
	xmlHead = `<?xml version="1.0" encoding="UTF-8"?>`
)

// webhookCase is one request to a Twilio webhook and what must come of it.
type webhookCase struct {
	name string
	path string     // path and query as Twilio requests it
	form url.Values // the form body
	body string     // a raw body instead of form
	sig  string     // "" signs correctly, noSig sends none, anything else is sent as is
	prep func(*harness)

	reply     flows.Reply
	engineErr error

	status   int
	input    *flows.Input // what the engine must receive; nil: it must not be called
	twiml    string       // expected TwiML, compared as parsed XML
	contains string       // expected in the body
	statuses []statusCall // expected status updates
}

func smsForm(kv ...string) url.Values {
	f := url.Values{"MessageSid": {"SM1"}, "AccountSid": {"AC123"}, "From": {"+84901234567"}, "To": {ourNum}, "Body": {"giúp"}, "NumMedia": {"0"}}
	return gatewaytest.Form(f, kv...)
}

func voiceForm(kv ...string) url.Values {
	f := url.Values{"CallSid": {"CA1"}, "AccountSid": {"AC123"}, "From": {"+84901234567"}, "To": {ourNum}, "Direction": {"inbound"}, "CallStatus": {"in-progress"}}
	return gatewaytest.Form(f, kv...)
}

var menu = flows.Prompt{
	Text:     "Xin chào.",
	Options:  []flows.Option{{Key: "1", Label: "Đăng ký"}, {Key: "2", Label: "Giúp đỡ"}},
	Expect:   flows.ExpectChoice,
	Language: care.Vietnamese,
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	smsIn := func(id, text string) *flows.Input {
		return &flows.Input{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: person, ProviderID: id, Text: text}
	}
	voiceIn := func(id, digits string, isNew, noInput bool) *flows.Input {
		return &flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: person, ProviderID: id, Text: digits, New: isNew, NoInput: noInput}
	}
	gather := func(step string) string {
		return `<Response><Gather input="dtmf" numDigits="1" timeout="10" method="POST" action="` + voice + `?step=` + step + `">` +
			`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">` + menuVI + `</Say></Gather>` +
			`<Redirect method="POST">` + voice + `?step=` + step + `&amp;noinput=1</Redirect></Response>`
	}
	cases := []webhookCase{
		// SMS
		{
			name: "sms good", path: "/twilio/sms", form: smsForm(),
			reply:  flows.Reply{Prompt: menu, Text: "Xin chao.\n1 Dang ky\n2 Giup do"},
			status: 200, input: smsIn("SM1", "giúp"),
			twiml: "<Response><Message>Xin chao.\n1 Dang ky\n2 Giup do</Message></Response>",
		},
		{
			// The engine lays the text out; the gateway writes it as it is.
			name: "sms keeps diacritics when asked", path: "/twilio/sms", form: smsForm(),
			reply:  flows.Reply{Prompt: menu, Diacritics: true, Text: "Xin chào.\n1 Đăng ký\n2 Giúp đỡ"},
			status: 200, input: smsIn("SM1", "giúp"),
			twiml: "<Response><Message>Xin chào.\n1 Đăng ký\n2 Giúp đỡ</Message></Response>",
		},
		{
			name: "sms silent", path: "/twilio/sms", form: smsForm(),
			reply:  flows.Reply{Prompt: menu, Silent: true},
			status: 200, input: smsIn("SM1", "giúp"), twiml: "<Response/>",
		},
		{
			name: "sms from a local number", path: "/twilio/sms", form: smsForm("From", "0901234567", "Body", "-"),
			reply:  flows.Reply{Prompt: flows.Prompt{Text: "Đã nhận."}, Text: "Da nhan."},
			status: 200, input: smsIn("SM1", ""), twiml: "<Response><Message>Da nhan.</Message></Response>",
		},
		{
			// Twilio does not send a refused message again: the bytes that cannot be stored
			// are cleaned and the person is answered as usual.
			name: "sms with invalid UTF-8 and NUL", path: "/twilio/sms", form: smsForm("Body", "gi\xfaup\x00 t\xf4i"),
			reply:  flows.Reply{Prompt: menu, Text: "Xin chao.\n1 Dang ky\n2 Giup do"},
			status: 200, input: smsIn("SM1", "gi\uFFFDup t\uFFFDi"),
			twiml: "<Response><Message>Xin chao.\n1 Dang ky\n2 Giup do</Message></Response>",
		},
		{name: "sms bad signature", path: "/twilio/sms", form: smsForm(), sig: badSig, status: 403},
		{name: "sms missing signature", path: "/twilio/sms", form: smsForm(), sig: noSig, status: 403},
		{
			name: "sms signed for another query", path: "/twilio/sms?x=1", form: smsForm(),
			sig: sign("/twilio/sms", smsForm()), status: 403,
		},
		{name: "sms missing MessageSid", path: "/twilio/sms", form: smsForm("MessageSid", "-"), status: 400, contains: "MessageSid: is required"},
		{name: "sms missing From", path: "/twilio/sms", form: smsForm("From", "-"), status: 400, contains: "From: is required"},
		{name: "sms bad phone", path: "/twilio/sms", form: smsForm("From", "12ab"), status: 400, contains: "From: not a valid phone number"},
		{name: "sms bad sid", path: "/twilio/sms", form: smsForm("MessageSid", "SM<1>"), status: 400, contains: "MessageSid: not a Twilio sid"},
		{name: "sms oversize", path: "/twilio/sms", body: "Body=" + strings.Repeat("a", gateway.MaxBodyBytes), sig: badSig, status: 413},
		{
			name: "sms engine domain error", path: "/twilio/sms", form: smsForm(),
			engineErr: care.Errorf(care.ECONFLICT, "busy"),
			status:    200, input: smsIn("SM1", "giúp"), twiml: "<Response><Message>" + apoSMS + "</Message></Response>",
		},
		{
			name: "sms engine internal error", path: "/twilio/sms", form: smsForm(),
			engineErr: errors.New("load session: connection refused at 10.0.0.5"),
			status:    200, input: smsIn("SM1", "giúp"), twiml: "<Response><Message>" + apoSMS + "</Message></Response>",
		},
		// Voice
		{
			name: "voice first request", path: "/twilio/voice", form: voiceForm(),
			reply:  flows.Reply{Prompt: menu, Step: 3},
			status: 200, input: voiceIn("CA1:0", "", true, false), twiml: gather("3"),
		},
		{
			name: "voice keys when the engine asks", path: "/twilio/voice", form: voiceForm(),
			reply:  flows.Reply{Prompt: menu, Step: 3, Keys: []flows.Option{{Key: "*", Label: "Nghe lại"}, {Key: "2", Label: "Trùng phím"}}},
			status: 200, input: voiceIn("CA1:0", "", true, false),
			twiml: `<Response><Gather input="dtmf" numDigits="1" timeout="10" method="POST" action="` + voice + `?step=3">` +
				`<Say language="vi-VN" voice="Google.vi-VN-Standard-A">` + menuVI + ` Nghe lại, bấm sao.</Say></Gather>` +
				`<Redirect method="POST">` + voice + `?step=3&amp;noinput=1</Redirect></Response>`,
		},
		{
			name: "voice gather action", path: "/twilio/voice?step=3", form: voiceForm("Digits", "2"),
			reply:  flows.Reply{Prompt: menu, Step: 4},
			status: 200, input: voiceIn("CA1:3", "2", false, false), twiml: gather("4"),
		},
		{
			name: "voice digits timeout", path: "/twilio/voice?step=3&noinput=1", form: voiceForm(),
			reply:  flows.Reply{Prompt: menu, Step: 4},
			status: 200, input: voiceIn("CA1:3", "", false, true), twiml: gather("4"),
		},
		{
			name: "voice outbound answer", path: "/twilio/voice?about=reminder:42",
			form:   voiceForm("Direction", "outbound-api", "From", ourNum, "To", "+84901234567"),
			reply:  flows.Reply{Prompt: menu, Step: 1},
			status: 200,
			input: &flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: person,
				ProviderID: "CA1:0", New: true, Outbound: "reminder:42"},
			twiml: gather("1"),
		},
		{
			name: "voice end in English", path: "/twilio/voice?step=5", form: voiceForm("Digits", "1"),
			reply:  flows.Reply{Prompt: flows.Prompt{Text: "Goodbye.", End: true, Language: care.English}, Step: 6},
			status: 200, input: voiceIn("CA1:5", "1", false, false),
			twiml: `<Response><Say language="en-US" voice="Google.en-US-Standard-C">Goodbye.</Say><Hangup/></Response>`,
		},
		{
			name: "voice to a person", path: "/twilio/voice?step=5", form: voiceForm("Digits", "0"),
			reply:  flows.Reply{Prompt: flows.Prompt{Text: "Xin chờ.", Person: "+84987654321"}, Step: 6},
			status: 200, input: voiceIn("CA1:5", "0", false, false),
			twiml: `<Response><Say language="vi-VN" voice="Google.vi-VN-Standard-A">Xin chờ.</Say>` +
				`<Dial timeout="25" method="POST" action="` + voice + `?step=6&amp;dial=1">+84987654321</Dial></Response>`,
		},
		{
			name: "voice dial not answered", path: "/twilio/voice?step=6&dial=1", form: voiceForm("DialCallStatus", "no-answer", "DialCallSid", "CA2"),
			reply:  flows.Reply{Prompt: flows.Prompt{Text: "Chưa có ai nghe máy.", End: true}, Step: 7},
			status: 200, input: &flows.Input{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: person, ProviderID: "CA1:6", DialStatus: "no-answer"},
			twiml: `<Response><Say language="vi-VN" voice="Google.vi-VN-Standard-A">Chưa có ai nghe máy.</Say><Hangup/></Response>`,
		},
		{name: "voice dial bad status", path: "/twilio/voice?step=6&dial=1", form: voiceForm("DialCallStatus", "ringing"), status: 400,
			contains: "DialCallStatus: not a dial status"},
		{
			name: "voice engine error", path: "/twilio/voice?step=5", form: voiceForm("Digits", "1"),
			engineErr: errors.New("boom"),
			status:    200, input: voiceIn("CA1:5", "1", false, false),
			twiml: `<Response><Say language="vi-VN" voice="Google.vi-VN-Standard-A">` + gateway.ApologyVI + `</Say><Say language="en-US" voice="Google.en-US-Standard-C">` + gateway.ApologyEN + `</Say><Hangup/></Response>`,
		},
		{name: "voice bad signature", path: "/twilio/voice", form: voiceForm(), sig: badSig, status: 403},
		{name: "voice bad step", path: "/twilio/voice?step=x", form: voiceForm(), status: 400, contains: "step: not a step number"},
		{name: "voice missing CallSid", path: "/twilio/voice", form: voiceForm("CallSid", "-"), status: 400, contains: "CallSid: is required"},
		{name: "voice bad digits", path: "/twilio/voice?step=1", form: voiceForm("Digits", "1a"), status: 400, contains: "Digits: not keypad digits"},
		{name: "voice oversize", path: "/twilio/voice", body: "Digits=" + strings.Repeat("1", gateway.MaxBodyBytes), sig: noSig, status: 413},
		// Status callbacks
		{
			name: "sms status delivered", path: "/twilio/sms/status",
			form:   url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {"delivered"}, "AccountSid": {"AC123"}},
			status: 200, statuses: []statusCall{receipt("SMknown", care.MsgDelivered, "", false)},
		},
		{
			name: "sms status undelivered with code", path: "/twilio/sms/status",
			form:   url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}},
			status: 200, statuses: []statusCall{receipt("SMknown", care.MsgFailed, "30003", true)},
		},
		{
			name: "sms status queued is sent", path: "/twilio/sms/status",
			form:   url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {"queued"}},
			status: 200, statuses: []statusCall{receipt("SMknown", care.MsgSent, "", false)},
		},
		{
			name: "sms status failed, not the number's fault", path: "/twilio/sms/status",
			form:   url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {"failed"}, "ErrorCode": {"30008"}},
			status: 200, statuses: []statusCall{receipt("SMknown", care.MsgFailed, "30008", false)},
		},
		{name: "sms status unknown sid", path: "/twilio/sms/status", form: url.Values{"MessageSid": {"SMother"}, "MessageStatus": {"sent"}}, status: 200},
		{name: "sms status untracked", path: "/twilio/sms/status", form: url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {"receiving"}}, status: 200},
		{name: "sms status missing status", path: "/twilio/sms/status", form: url.Values{"MessageSid": {"SMknown"}}, status: 400, contains: "MessageStatus: is required"},
		{name: "sms status bad signature", path: "/twilio/sms/status", form: url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {"sent"}}, sig: badSig, status: 403},
		{
			name: "sms status store down", path: "/twilio/sms/status",
			form: url.Values{"MessageSid": {"SMknown"}, "MessageStatus": {"sent"}},
			prep: func(h *harness) { h.status.err = errors.New("pool closed") }, status: 503,
		},
		{
			name: "call status no-answer", path: "/twilio/voice/status",
			form:   url.Values{"CallSid": {"CAknown"}, "CallStatus": {"no-answer"}},
			status: 200, statuses: []statusCall{receipt("CAknown", care.MsgFailed, "no-answer", false)},
		},
		{
			name: "call status completed", path: "/twilio/voice/status",
			form:   url.Values{"CallSid": {"CAknown"}, "CallStatus": {"completed"}, "CallDuration": {"42"}},
			status: 200, statuses: []statusCall{receipt("CAknown", care.MsgDelivered, "", false)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t)
			h.engine.Reply, h.engine.Err = tc.reply, tc.engineErr
			if tc.prep != nil {
				tc.prep(h)
			}
			body := tc.body
			if body == "" {
				body = tc.form.Encode()
			}
			sig := tc.sig
			switch sig {
			case "":
				sig = sign(tc.path, tc.form)
			case noSig:
				sig = ""
			}
			status, got, header := h.post(t, tc.path, body, sig)
			require.Equal(t, tc.status, status, "body: %s", got)
			if tc.input == nil {
				require.Empty(t, h.engine.Inputs(), "the engine must not be called")
			} else {
				require.Equal(t, []flows.Input{*tc.input}, h.engine.Inputs())
			}
			if tc.twiml != "" {
				require.Equal(t, "text/xml; charset=utf-8", header.Get("Content-Type"))
				require.True(t, strings.HasPrefix(got, xmlHead), got)
				requireXML(t, tc.twiml, got)
			}
			require.Contains(t, got, tc.contains)
			require.Equal(t, tc.statuses, h.status.recorded())
			if status != http.StatusOK {
				require.NotContains(t, got, "<Response")
			}
		})
	}
}
