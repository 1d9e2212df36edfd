package twilio

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/simulators/faketwilio"
)

// twilio-go's own test vector (client/request_validator_test.go): auth token "12345", URL
// https://mycompany.com/myapp.php?foo=1&bar=2 and these parameters sign to
// vOEb5UThFn24KEfnOFLQY2AE5FY= (https) and n2xBNyzSW7rfYStDtOFiFMv7qNo= (http).
var vectorParams = url.Values{
	"Digits":                {"1234"},
	"CallSid":               {"CA1234567890ABCDE"},
	"To":                    {"+18005551212"},
	"Caller":                {"+14158675309"},
	"From":                  {"+14158675309"},
	"ReasonConferenceEnded": {"test"},
	"Reason":                {"Participant"},
}

func TestRequireSignature(t *testing.T) {
	t.Parallel()
	const vectorSig = "vOEb5UThFn24KEfnOFLQY2AE5FY="
	tests := []struct {
		name   string
		token  string
		base   string
		uri    string
		host   string
		body   string
		sig    string
		status int
	}{
		{name: "twilio-go vector", token: "12345", base: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: vectorSig, status: 200},
		{name: "vector, base with trailing slash", token: "12345", base: "https://mycompany.com/", uri: "/myapp.php?foo=1&bar=2", sig: vectorSig, status: 200},
		{name: "vector, base with default port", token: "12345", base: "https://mycompany.com:443", uri: "/myapp.php?foo=1&bar=2", sig: vectorSig, status: 200},
		{name: "vector over http", token: "12345", base: "http://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: "n2xBNyzSW7rfYStDtOFiFMv7qNo=", status: 200},
		{name: "vector, other token", token: "54321", base: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: vectorSig, status: 403},
		{name: "vector, query reordered", token: "12345", base: "https://mycompany.com", uri: "/myapp.php?bar=2&foo=1", sig: vectorSig, status: 403},
		{name: "vector, other base", token: "12345", base: "https://caseline.example.org", uri: "/myapp.php?foo=1&bar=2", sig: vectorSig, status: 403},
		{
			name: "vector, Host header is not trusted", token: "12345", base: "https://caseline.example.org",
			uri: "/myapp.php?foo=1&bar=2", host: "mycompany.com", sig: vectorSig, status: 403,
		},
		{
			name: "vector, tampered parameter", token: "12345", base: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2",
			body: strings.Replace(vectorParams.Encode(), "Digits=1234", "Digits=9999", 1), sig: vectorSig, status: 403,
		},
		{name: "missing signature", token: "12345", base: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", status: 403},
		{name: "garbage signature", token: "12345", base: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: "%%%", status: 403},
		{
			name: "oversize", token: "12345", base: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2",
			body: "Body=" + strings.Repeat("x", gateway.MaxBodyBytes), sig: vectorSig, status: 413,
		},
		{
			name: "exactly the limit is read, then judged", token: "12345", base: "https://mycompany.com", uri: "/x",
			body: "Body=" + strings.Repeat("x", gateway.MaxBodyBytes-5), sig: vectorSig, status: 403,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := tt.body
			if body == "" {
				body = vectorParams.Encode()
			}
			var reached []byte
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, err := io.ReadAll(r.Body)
				require.NoError(t, err)
				reached = b
			})
			req := httptest.NewRequest(http.MethodPost, tt.uri, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.sig != "" {
				req.Header.Set(SignatureHeader, tt.sig)
			}
			rec := httptest.NewRecorder()
			gateway.LimitBody(gateway.MaxBodyBytes, RequireSignature(tt.token, tt.base, next)).ServeHTTP(rec, req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status == http.StatusOK {
				require.Equal(t, body, string(reached), "the handler reads the body the check read")
			} else {
				require.Nil(t, reached, "nothing may reach the handler")
			}
		})
	}
}

// faketwilio's signer and twilio-go's validator must agree, or the simulators cannot talk to
// the gateway.
func TestFakeSignerMatchesValidator(t *testing.T) {
	t.Parallel()
	require.Equal(t, "vOEb5UThFn24KEfnOFLQY2AE5FY=",
		faketwilio.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", vectorParams))
}
