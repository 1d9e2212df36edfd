package phone

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	twclient "github.com/twilio/twilio-go/client"
)

func TestSignTwilioVector(t *testing.T) {
	t.Parallel()
	// The test vector of twilio-go's request_validator_test.go.
	params := url.Values{
		"Digits":                {"1234"},
		"CallSid":               {"CA1234567890ABCDE"},
		"To":                    {"+18005551212"},
		"Caller":                {"+14158675309"},
		"From":                  {"+14158675309"},
		"ReasonConferenceEnded": {"test"},
		"Reason":                {"Participant"},
	}
	tests := []struct {
		name, url, want string
	}{
		{"https", "https://mycompany.com/myapp.php?foo=1&bar=2", "vOEb5UThFn24KEfnOFLQY2AE5FY="},
		{"http", "http://mycompany.com/myapp.php?foo=1&bar=2", "n2xBNyzSW7rfYStDtOFiFMv7qNo="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Sign("12345", tt.url, params))
		})
	}
}

func TestSignAcceptedByRequestValidator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		form url.Values
	}{
		{"sms", "http://127.0.0.1:8080/twilio/sms", url.Values{"Body": {"Giúp tôi & <bạn>"}, "From": {"+84901234567"}, "MessageSid": {NewSID("SM")}}},
		{"voice action with query", "https://caseline.example/twilio/voice?step=3&noinput=1", url.Values{"Digits": {"1"}, "CallSid": {NewSID("CA")}}},
		{"no params", "https://caseline.example/twilio/voice?x=1", url.Values{}},
		{"prefix keys", "https://a.example/", url.Values{"Reason": {"x"}, "ReasonConferenceEnded": {"y"}, "A": {""}}},
	}
	rv := twclient.NewRequestValidator("s3cret")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			params := map[string]string{}
			for k, v := range tt.form {
				params[k] = v[0]
			}
			sig := Sign("s3cret", tt.url, tt.form)
			require.True(t, rv.Validate(tt.url, params, sig))
			require.False(t, rv.Validate(tt.url, params, Sign("other", tt.url, tt.form)), "another token must not validate")
		})
	}
}

func TestSMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body   string
		want   []string
		status int
	}{
		{body: "DK", want: []string{"Tên của bạn là gì?"}},
		{body: "multi", want: []string{"một", "hai & ba"}},
		{body: "QUIET", want: []string{}},
		{body: "a <b> & c", want: []string{"echo a <b> & c"}},
		{body: "BROKEN", status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			_, opts := setup(t)
			p, err := New(opts)
			require.NoError(t, err)
			r, err := p.SMS(context.Background(), tt.body)
			if tt.status != 0 {
				var se *StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, tt.status, se.Code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, r.Messages)
			require.Regexp(t, `^SM[0-9a-f]{32}$`, r.MessageSid)
		})
	}
}

func TestSignatureChecked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		token      string
		servPublic string // the gateway's PUBLIC_BASE_URL; the server's own URL when empty
		public     string // the phone's PublicBaseURL
		status     int
	}{
		{name: "right token", token: testToken},
		{name: "wrong token", token: "nope", status: 403},
		{name: "behind a proxy", token: testToken, servPublic: "https://caseline.example", public: "https://caseline.example/"},
		{name: "proxy not configured", token: testToken, servPublic: "https://caseline.example", status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, opts := setup(t)
			f.publicURL = tt.servPublic
			opts.AuthToken, opts.PublicBaseURL = tt.token, tt.public
			p, err := New(opts)
			require.NoError(t, err)
			ctx := context.Background()
			_, smsErr := p.SMS(ctx, "hi")
			_, callErr := p.Call(ctx)
			errs := []error{smsErr, callErr}
			if callErr == nil {
				// The gather's action is on the public origin; the phone delivers it to BaseURL.
				turn, err := p.Wait(ctx)
				require.NoError(t, err)
				origin := tt.servPublic
				if origin == "" {
					origin = opts.BaseURL
				}
				require.Equal(t, origin+"/twilio/voice?step=2", turn.Gather.Action)
				turn, err = p.Press(ctx, "1")
				require.NoError(t, err)
				require.True(t, turn.End)
			}
			for _, err := range errs {
				if tt.status == 0 {
					require.NoError(t, err)
					continue
				}
				var se *StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, tt.status, se.Code)
			}
		})
	}
}

func TestUSSDAccumulatesText(t *testing.T) {
	t.Parallel()
	f, opts := setup(t)
	p, err := New(opts)
	require.NoError(t, err)
	ctx := context.Background()

	scr, err := p.DialUSSD(ctx, "*123#")
	require.NoError(t, err)
	require.False(t, scr.End)
	require.Equal(t, "Chào mừng\n1 Đăng ký\n2 Kế hoạch của tôi", scr.Text)
	for i, in := range []string{"1", "2", "3"} {
		scr, err = p.ReplyUSSD(ctx, in)
		require.NoError(t, err)
		require.Equal(t, i == 2, scr.End, "hop %d", i)
	}
	require.Equal(t, "Cảm ơn. text=1*2*3", scr.Text)
	require.False(t, p.USSDOpen())
	require.Equal(t, []string{"", "1", "1*2", "1*2*3"}, f.texts)

	_, err = p.ReplyUSSD(ctx, "1")
	require.ErrorIs(t, err, ErrNoSession)

	// A new dial starts again from an empty text.
	_, err = p.DialUSSD(ctx, "*123#")
	require.NoError(t, err)
	_, err = p.ReplyUSSD(ctx, "2")
	require.NoError(t, err)
	require.Equal(t, []string{"", "1", "1*2", "1*2*3", "", "2"}, f.texts)
}

func TestUSSDBadToken(t *testing.T) {
	t.Parallel()
	_, opts := setup(t)
	opts.USSDToken = "wrong"
	p, err := New(opts)
	require.NoError(t, err)
	_, err = p.DialUSSD(context.Background(), "*123#")
	var se *StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 403, se.Code)
	require.False(t, p.USSDOpen())
}

func TestParseScreen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want Screen
		bad  bool
	}{
		{raw: "CON Chọn:\n1 Có", want: Screen{Text: "Chọn:\n1 Có"}},
		{raw: "END Cảm ơn", want: Screen{Text: "Cảm ơn", End: true}},
		{raw: "END", want: Screen{End: true}},
		{raw: "Hello", bad: true},
		{raw: "con lowercase", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			got, err := ParseScreen(tt.raw)
			if tt.bad {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestVoice(t *testing.T) {
	t.Parallel()
	type step struct {
		action string // "press N" or "wait"
		says   []string
		gather bool
		dial   string
		end    bool
	}
	menu := "Nhấn 1 để nghe kế hoạch, nhấn 0 để gặp cán bộ."
	tests := []struct {
		name     string
		steps    []step
		noinputs int
	}{
		{name: "press 1", steps: []step{{action: "press 1", says: []string{"Bạn có hẹn ngày mai lúc 9 giờ."}, end: true}}},
		{name: "press 0 dials a person", steps: []step{{action: "press 0", says: []string{"Đang nối máy."}, dial: "+84912345678", end: true}}},
		{name: "a dial with an action waits for its outcome", steps: []step{
			{action: "press 8", says: []string{"Đang gọi cán bộ."}, dial: "+84912345679"},
			{action: "dialed no-answer", says: []string{"Chưa có ai nghe máy: no-answer."}, end: true},
		}},
		{name: "a dial answered and talked through", steps: []step{
			{action: "press 8", says: []string{"Đang gọi cán bộ."}, dial: "+84912345679"},
			{action: "dialed completed", end: true},
		}},
		{name: "no input follows the redirect twice", noinputs: 2, steps: []step{
			{action: "wait", says: []string{"Xin lỗi, tôi chưa nghe thấy.", menu}, gather: true},
			{action: "wait", says: []string{"Xin lỗi, tôi chưa nghe thấy.", menu}, gather: true},
			{action: "press 1", says: []string{"Bạn có hẹn ngày mai lúc 9 giờ."}, end: true},
		}},
		{name: "GET redirect", steps: []step{{action: "press 9", says: []string{"Lại từ đầu."}, end: true}}},
		{name: "document runs out", steps: []step{{action: "press 5", says: []string{"Không hợp lệ."}, end: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, opts := setup(t)
			p, err := New(opts)
			require.NoError(t, err)
			ctx := context.Background()
			turn, err := p.Call(ctx)
			require.NoError(t, err)
			require.Equal(t, []string{"Chào mừng đến Caseline.", menu}, turn.Says)
			require.NotNil(t, turn.Gather)
			require.Equal(t, opts.BaseURL+"/twilio/voice?step=1", turn.Gather.Action)
			require.Equal(t, 1, turn.Gather.NumDigits)
			require.Equal(t, 12, turn.Gather.Timeout)
			require.Equal(t, "dtmf", turn.Gather.Input)
			for i, s := range tt.steps {
				if digits, ok := strings.CutPrefix(s.action, "press "); ok {
					turn, err = p.Press(ctx, digits)
				} else if status, ok := strings.CutPrefix(s.action, "dialed "); ok {
					require.True(t, p.Dialing(), "step %d", i)
					turn, err = p.DialEnds(ctx, status)
				} else {
					turn, err = p.Wait(ctx)
				}
				require.NoError(t, err, "step %d", i)
				require.Equal(t, s.says, turn.Says, "step %d", i)
				require.Equal(t, s.gather, turn.Gather != nil, "step %d", i)
				require.Equal(t, s.dial, turn.Dial, "step %d", i)
				require.Equal(t, s.end, turn.End, "step %d", i)
				require.Equal(t, !s.end, p.InCall(), "step %d", i)
				if s.gather {
					// The relative action "voice?step=2" resolves against the document's URL.
					require.Equal(t, opts.BaseURL+"/twilio/voice?step=2", turn.Gather.Action)
				}
			}
			require.Equal(t, tt.noinputs, f.noinputs)
			require.Len(t, f.calls, 1, "every request of a call carries its one CallSid")
			_, err = p.Press(ctx, "1")
			require.ErrorIs(t, err, ErrNoSession)
		})
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
	}{
		{"bad number", Options{BaseURL: "http://127.0.0.1:1", Number: "abc"}},
		{"no base", Options{Number: testNumber}},
		{"not http", Options{BaseURL: "ftp://x", Number: testNumber}},
		{"bad public", Options{BaseURL: "http://127.0.0.1:1", PublicBaseURL: "nope", Number: testNumber}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(tt.opts)
			require.Error(t, err)
		})
	}
}

func TestTransportError(t *testing.T) {
	t.Parallel()
	_, opts := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, err := New(opts)
	require.NoError(t, err)
	_, err = p.SMS(ctx, "hi")
	require.True(t, errors.Is(err, context.Canceled), fmt.Sprint(err))
}

func TestSayRefusesWhatTwilioWouldNotSpeak(t *testing.T) {
	t.Parallel()
	node := func(voice, lang string) twimlNode {
		var attrs []xml.Attr
		if voice != "" {
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "voice"}, Value: voice})
		}
		if lang != "" {
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "language"}, Value: lang})
		}
		return twimlNode{XMLName: xml.Name{Local: "Say"}, Attrs: attrs, Text: " Xin chào. "}
	}
	tests := []struct {
		voice, lang string
		ok          bool
	}{
		{"Google.vi-VN-Standard-A", "vi-VN", true},
		{"", "", true}, // man, in American English
		{"", "vi-VN", false},
		{"Polly.Joanna", "vi-VN", false},
		{"alice", "vi-VN", false},
	}
	for _, tt := range tests {
		var turn VoiceTurn
		err := say(node(tt.voice, tt.lang), &turn)
		if tt.ok {
			require.NoError(t, err)
			require.Equal(t, []string{"Xin chào."}, turn.Says)
		} else {
			require.Error(t, err, "%s %s", tt.voice, tt.lang)
			require.Empty(t, turn.Says)
		}
	}
}
