package twilio

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/twilio/twilio-go/client"
)

// MaxBody is the largest webhook body accepted; larger ones get 413. Twilio's own webhooks
// are a few kilobytes.
const MaxBody = 64 << 10

// SignatureHeader carries Twilio's HMAC-SHA1 request signature.
const SignatureHeader = "X-Twilio-Signature"

// RequireSignature lets a request reach next only when its X-Twilio-Signature is valid for
// publicBaseURL (the configured PUBLIC_BASE_URL, e.g. "https://caseline.example.org") plus the
// raw request URI, keyed by authToken. The Host header is never trusted: behind a proxy it is
// not the URL Twilio signed. The body is read (at most MaxBody bytes, 413 beyond) and put back
// for next. A bad or missing signature gets 403 and next is not called.
func RequireSignature(authToken, publicBaseURL string, next http.Handler) http.Handler {
	rv := client.NewRequestValidator(authToken)
	base := strings.TrimRight(publicBaseURL, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, status := readBody(w, r)
		if status != 0 {
			http.Error(w, http.StatusText(status), status)
			return
		}
		sig := r.Header.Get(SignatureHeader)
		if sig == "" || !rv.ValidateBody(base+r.URL.RequestURI(), body, sig) {
			http.Error(w, "invalid signature", http.StatusForbidden)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// readBody reads r's body up to MaxBody. It returns a non-zero HTTP status when the body is
// too large (413) or cannot be read (400).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, int) {
	if r.Body == nil {
		return nil, 0
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, http.StatusRequestEntityTooLarge
	case err != nil:
		return nil, http.StatusBadRequest
	}
	return body, 0
}
