package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/client"
)

// signWith is Twilio's signature of u and the first value of each form key, as twilio-go
// validates it. It is not phone.Sign, which signs every value of a key as Twilio documents:
// the random forms below repeat keys, and this test wants the signatures twilio-go accepts.
func signWith(token, u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(u))
	for _, k := range keys {
		m.Write([]byte(k + form[k][0]))
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TestValidatorAgreesWithTwilioGo: the fast path never accepts what twilio-go refuses, and
// everything twilio-go accepts still passes.
func TestValidatorAgreesWithTwilioGo(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	bases := []string{"https://mycompany.com", "https://mycompany.com:443", "http://127.0.0.1:8080", "http://h", "https://h:8443"}
	uris := []string{"/twilio/sms", "/myapp.php?foo=1&bar=2", "/x?bodySHA256=abc", "/x?a=%41", "/x?a=b+c"}
	words := []string{"", "MENU", "Giúp", "a b", "+84901234567", "&", "=", "%", "SM123"}
	for i := range 3000 {
		base, uri := bases[rng.IntN(len(bases))], uris[rng.IntN(len(uris))]
		full := base + uri
		form := url.Values{}
		for range rng.IntN(5) {
			k := []string{"Body", "From", "To", "MessageSid", "A", "b"}[rng.IntN(6)]
			form.Add(k, words[rng.IntN(len(words))])
		}
		body := []byte(form.Encode())
		if i%50 == 0 {
			body = []byte("a=%zz&b=1") // does not parse
		}
		signedURL := full
		switch rng.IntN(4) {
		case 0:
			signedURL = "https://mycompany.com" + uri
		case 1:
			signedURL = base + ":443" + uri
		}
		token := "12345"
		sig := signWith(token, signedURL, form)
		switch rng.IntN(5) {
		case 0:
			sig = signWith("54321", signedURL, form)
		case 1:
			sig = sig[:len(sig)-2] + "A="
		case 2:
			sig = ""
		}
		rv := client.NewRequestValidator(token)
		want := rv.ValidateBody(full, body, sig)
		u, err := url.Parse(full)
		require.NoError(t, err)
		got := newValidator(token).valid(full, u.RawQuery, body, sig)
		require.Equal(t, want, got, "url %s body %s sig %s", full, body, sig)
		if newValidator(token).exact(full, u.RawQuery, body, sig) {
			require.True(t, want, "fast path accepted what twilio-go refuses: %s %s", full, body)
		}
	}
}

func BenchmarkValidator(b *testing.B) {
	form := url.Values{"AccountSid": {"AC123"}, "Body": {"MENU"}, "From": {"+84901234567"}, "To": {"+84280000000"},
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "SmsSid": {"SM0123456789abcdef0123456789abcdef"},
		"ApiVersion": {"2010-04-01"}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}}
	full := "https://caseline.example.org/twilio/sms"
	body := []byte(form.Encode())
	sig := signWith("tok", full, form)
	b.Run("fast", func(b *testing.B) {
		v := newValidator("tok")
		for b.Loop() {
			if !v.valid(full, "", body, sig) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("twilio-go", func(b *testing.B) {
		rv := client.NewRequestValidator("tok")
		for b.Loop() {
			if !rv.ValidateBody(full, body, sig) {
				b.Fatal("invalid")
			}
		}
	})
}
