package twilio

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"hash"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/twilio/twilio-go/client"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// SignatureHeader carries Twilio's HMAC-SHA1 request signature.
const SignatureHeader = "X-Twilio-Signature"

// RequireSignature lets a request reach next only when its X-Twilio-Signature is valid for
// publicBaseURL (the configured PUBLIC_BASE_URL, e.g. "https://caseline.example.org") plus the
// raw request URI, keyed by authToken. The Host header is never trusted: behind a proxy it is
// not the URL Twilio signed. The body is read (gateway.ReadBody: 413 beyond its limit) and
// put back for next. A bad or missing signature gets 403 and next is not called.
func RequireSignature(authToken, publicBaseURL string, next http.Handler) http.Handler {
	v := newValidator(authToken)
	base := strings.TrimRight(publicBaseURL, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := gateway.ReadBody(r)
		if err != nil {
			gateway.Text(w, r, err)
			return
		}
		sig := r.Header.Get(SignatureHeader)
		if sig == "" || !v.valid(base+r.URL.RequestURI(), r.URL.RawQuery, body, sig) {
			gateway.Text(w, r, care.Errorf(care.EUNAUTHORIZED, "invalid signature"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// validator checks Twilio signatures as twilio-go's RequestValidator does, with a fast path
// for the common case. twilio-go computes two HMACs per request (the URL with and without
// its default port) after parsing the URL five times; a signature made for the URL exactly
// as configured, which is what Twilio sends, matches the first one computed here, and only
// anything else goes on to twilio-go. The fast path accepts nothing twilio-go would refuse:
// it is twilio-go's own check for one of the URLs it tries.
type validator struct {
	rv   client.RequestValidator
	macs sync.Pool // of hash.Hash: HMAC-SHA1 keyed by the auth token
}

func newValidator(authToken string) *validator {
	key := []byte(authToken)
	return &validator{
		rv:   client.NewRequestValidator(authToken),
		macs: sync.Pool{New: func() any { return hmac.New(sha1.New, key) }},
	}
}

// valid reports whether sig signs fullURL (whose query is rawQuery) and the form body.
func (v *validator) valid(fullURL, rawQuery string, body []byte, sig string) bool {
	return v.exact(fullURL, rawQuery, body, sig) || v.rv.ValidateBody(fullURL, body, sig)
}

// exact is twilio-go's signature check for fullURL as it is: HMAC-SHA1 of the URL, then each
// parameter's name and first value, sorted by name, base64-encoded. twilio-go signs a URL
// carrying bodySHA256 differently: those, and any query it would decode, are left to it.
func (v *validator) exact(fullURL, rawQuery string, body []byte, sig string) bool {
	if strings.ContainsAny(rawQuery, "%+") || strings.Contains(rawQuery, "bodySHA256") {
		return false
	}
	if len(sig) != base64.StdEncoding.EncodedLen(sha1.Size) {
		return false
	}
	if _, err := url.Parse(fullURL); err != nil {
		return false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return false
	}
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	mac := v.macs.Get().(hash.Hash)
	defer v.macs.Put(mac)
	mac.Reset()
	_, _ = io.WriteString(mac, fullURL)
	for _, k := range keys {
		_, _ = io.WriteString(mac, k)
		_, _ = io.WriteString(mac, form[k][0])
	}
	var sum [sha1.Size]byte
	var enc [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(enc[:], mac.Sum(sum[:0]))
	return subtle.ConstantTimeCompare(enc[:], []byte(sig)) == 1
}
