package ussd

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/gatewaytest"
)

const testToken = "s3cret-token"

type harness struct {
	engine *gatewaytest.Engine
	srv    *httptest.Server
}

func setup(t *testing.T) *harness {
	t.Helper()
	h := &harness{engine: &gatewaytest.Engine{}}
	u, err := New(Deps{Engine: h.engine, Token: testToken, Log: zerolog.Nop()})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/ussd/africastalking", u)
	h.srv = httptest.NewServer(gateway.LimitBody(gateway.MaxBodyBytes, mux)) // as gateway.NewHandler mounts it
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) do(t *testing.T, method, pathQuery, body string) (int, string, http.Header) {
	t.Helper()
	a := gatewaytest.Do(t, h.srv.Client(), method, h.srv.URL+pathQuery, body, gatewaytest.FormHeader())
	return a.Status, a.Body, a.Header
}

func hop(kv ...string) url.Values {
	return gatewaytest.Form(url.Values{"sessionId": {"ATUid_1"}, "serviceCode": {"*384*123#"}, "phoneNumber": {"+84901234567"},
		"networkCode": {"45204"}, "text": {""}}, kv...)
}

// menuScreen is a menu as the engine lays it out for Africa's Talking (flows.Reply.Text):
// the gateway writes it as it is.
const menuScreen = "CON Xin chao.\n1 Dang ky\n2 Giup do"

func TestUSSD(t *testing.T) {
	t.Parallel()
	in := func(id, text string, isNew bool) *flows.Input {
		return &flows.Input{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: "+84901234567",
			SessionKey: "ATUid_1", ProviderID: id, Text: text, New: isNew}
	}
	const path = "/ussd/africastalking?token=" + testToken
	tests := []struct {
		name      string
		method    string
		path      string
		body      string
		reply     flows.Reply
		engineErr error
		status    int
		input     *flows.Input
		want      string // the whole body for 200, a substring otherwise
	}{
		{name: "first hit, text empty", path: path, body: hop().Encode(), reply: flows.Reply{Text: menuScreen},
			status: 200, input: in("ATUid_1:0", "", true), want: menuScreen},
		{name: "second hop", path: path, body: hop("text", "1").Encode(), reply: flows.Reply{Text: "CON Ho ten?"},
			status: 200, input: in("ATUid_1:1", "1", false), want: "CON Ho ten?"},
		{name: "third hop keeps only the newest input", path: path, body: hop("text", "1*Nguyễn Văn A").Encode(),
			reply:  flows.Reply{Text: "END Da dang ky. Ma 4821."},
			status: 200, input: in("ATUid_1:2", "Nguyễn Văn A", false), want: "END Da dang ky. Ma 4821."},
		{name: "empty newest input", path: path, body: hop("text", "1*").Encode(), reply: flows.Reply{Text: menuScreen},
			status: 200, input: in("ATUid_1:2", "", false), want: menuScreen},
		{name: "local number", path: path, body: hop("phoneNumber", "0901234567").Encode(), reply: flows.Reply{Text: menuScreen},
			status: 200, input: in("ATUid_1:0", "", true), want: menuScreen},
		{name: "engine error", path: path, body: hop("text", "1").Encode(), engineErr: errors.New("tx: deadlock detected"),
			status: 200, input: in("ATUid_1:1", "1", false), want: apology()},
		{name: "engine domain error", path: path, body: hop("text", "1").Encode(), engineErr: care.Errorf(care.ECONFLICT, "busy"),
			status: 200, input: in("ATUid_1:1", "1", false), want: apology()},
		{name: "wrong token", path: "/ussd/africastalking?token=guess", body: hop().Encode(), status: 403, want: "invalid token"},
		{name: "token prefix", path: "/ussd/africastalking?token=s3cret", body: hop().Encode(), status: 403},
		{name: "missing token", path: "/ussd/africastalking", body: hop().Encode(), status: 403},
		{name: "missing sessionId", path: path, body: hop("sessionId", "-").Encode(), status: 400, want: "sessionId: is required"},
		{name: "missing phoneNumber", path: path, body: hop("phoneNumber", "-").Encode(), status: 400, want: "phoneNumber: is required"},
		{name: "bad phoneNumber", path: path, body: hop("phoneNumber", "+84 abc").Encode(), status: 400, want: "phoneNumber: not a valid phone number"},
		{name: "bad form", path: path, body: "sessionId=%zz", status: 400, want: "body: not a urlencoded form"},
		// The caller cannot be asked again: what cannot be stored is cleaned, the rest answered.
		{name: "invalid UTF-8 and NUL", path: path, body: hop("text", "1*Lan\xff\x00").Encode(), reply: flows.Reply{Text: menuScreen},
			status: 200, input: in("ATUid_1:2", "Lan\uFFFD", false), want: menuScreen},
		{name: "oversize", path: path, body: "text=" + strings.Repeat("1*", gateway.MaxBodyBytes), status: 413},
		{name: "GET", method: http.MethodGet, path: path, status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t)
			h.engine.Reply, h.engine.Err = tt.reply, tt.engineErr
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			status, got, header := h.do(t, method, tt.path, tt.body)
			require.Equal(t, tt.status, status, got)
			if tt.input == nil {
				require.Empty(t, h.engine.Inputs(), "the engine must not be called")
			} else {
				require.Equal(t, []flows.Input{*tt.input}, h.engine.Inputs())
			}
			if status == http.StatusOK {
				require.Equal(t, "text/plain; charset=utf-8", header.Get("Content-Type"))
				require.Equal(t, tt.want, got)
				return
			}
			require.Contains(t, got, tt.want)
			require.NotRegexp(t, `^(CON|END) `, got)
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(hop("text", "1*2").Encode()))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decode(body)
		if err != nil {
			var ce *care.Error
			require.True(t, errors.As(err, &ce), "decode returns care errors, got %T", err)
			require.NotEmpty(t, ce.Field)
			return
		}
		require.Equal(t, care.ChannelUSSD, in.Channel)
		require.NotEmpty(t, in.SessionKey)
		require.True(t, strings.HasPrefix(in.ProviderID, in.SessionKey+":"))
		require.True(t, strings.HasPrefix(in.Phone.E164(), "+"))
		require.NotContains(t, in.Text, "*", "only the newest input reaches the engine")
		require.True(t, care.TextOK(in.Text), "what reaches the engine can be stored: %q", in.Text)
		require.Equal(t, in.New, in.ProviderID == in.SessionKey+":0")
	})
}
