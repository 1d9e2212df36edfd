package care

import (
	"strings"
	"unicode/utf8"
)

// Text every store keeps is valid UTF-8 without NUL characters: PostgreSQL refuses both in
// text columns. The API refuses such text (TextOK) naming the field; webhooks, whose senders
// cannot be asked again, keep what they can (CleanText).

// TextOK reports whether s is valid UTF-8 without NUL characters.
func TextOK(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// CleanText returns s with NUL characters removed and each run of invalid UTF-8 replaced by
// U+FFFD.
func CleanText(s string) string {
	if TextOK(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// CleanForm cleans every key and value of a decoded form (url.Values) with CleanText, in
// place of refusing it: a webhook's sender will not send it again, and the person's message
// must not be lost for a byte. A key that cleans to another key's name joins its values.
func CleanForm(form map[string][]string) map[string][]string {
	out := make(map[string][]string, len(form))
	for k, vs := range form {
		ck := CleanText(k)
		for _, v := range vs {
			out[ck] = append(out[ck], CleanText(v))
		}
	}
	return out
}
