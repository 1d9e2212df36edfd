package gatewaytest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Answer is what a test server said.
type Answer struct {
	Status int
	Body   string
	Header http.Header
}

// Do sends body to u with method and header through c and returns the answer.
func Do(t testing.TB, c *http.Client, method, u, body string, header http.Header) Answer {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return Answer{Status: resp.StatusCode, Body: string(b), Header: resp.Header}
}

// FormHeader is the header of a form post, as Twilio and Africa's Talking send, with the
// name/value pairs kv added; a pair whose value is empty is left out (an unsigned post).
func FormHeader(kv ...string) http.Header {
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			h.Set(kv[i], kv[i+1])
		}
	}
	return h
}

// Form sets key/value pairs on f and returns it; a value of "-" removes its key, so that
// an empty value can still be sent.
func Form(f url.Values, kv ...string) url.Values {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "-" {
			f.Del(kv[i])
			continue
		}
		f.Set(kv[i], kv[i+1])
	}
	return f
}
