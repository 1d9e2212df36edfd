package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// logLines decodes the JSON lines in b.
func logLines(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		out = append(out, m)
	}
	return out
}

func TestPanicBecomes500WithoutTheStack(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := withMiddleware(zerolog.New(&logs), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom at store.go:42")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))

	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.JSONEq(t, `{"error":"internal","message":"internal error"}`, rec.Body.String())
	require.NotContains(t, rec.Body.String(), "boom")

	lines := logLines(t, &logs)
	require.Len(t, lines, 2)
	require.Equal(t, "handler panicked", lines[0]["message"])
	require.Equal(t, "boom at store.go:42", lines[0]["panic"])
	require.Contains(t, lines[0]["stack"], "middleware_test.go", "the log keeps the stack")
	require.Equal(t, "request", lines[1]["message"])
	require.EqualValues(t, 500, lines[1]["status"], "the access log sees the 500")
	require.Equal(t, lines[0]["req_id"], lines[1]["req_id"])
}

func TestAbortHandlerPanicStillAborts(t *testing.T) {
	t.Parallel()
	h := withMiddleware(zerolog.Nop(), http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
	})
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	// A webhook route reads a form and answers its error through Error.
	h := NewHandler(Deps{Log: zerolog.Nop(), TwilioSMS: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			Error(w, r, err)
			return
		}
		_, _ = w.Write([]byte(r.PostForm.Get("Body")))
	})})
	form := func(n int) string { return "Body=" + strings.Repeat("a", n-len("Body=")) }
	tests := []struct {
		name    string
		body    string
		chunked bool // no Content-Length: the limit bites while reading
		status  int
	}{
		{"at the limit", form(MaxBodyBytes), false, http.StatusOK},
		{"over the limit", form(MaxBodyBytes + 1), false, http.StatusRequestEntityTooLarge},
		{"at the limit, chunked", form(MaxBodyBytes), true, http.StatusOK},
		{"over the limit, chunked", form(MaxBodyBytes + 1), true, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "/twilio/sms", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.chunked {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tt.status, rec.Code)
			if tt.status == http.StatusOK {
				require.Len(t, rec.Body.String(), MaxBodyBytes-len("Body="))
			}
		})
	}
}
