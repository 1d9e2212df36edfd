package flows

import (
	"strings"
	"unicode"
)

// revealing lists what no SMS to a person's phone may say, in both languages: words that name
// violence, abuse or discrimination, a harmed person, the person reported, reporting itself,
// or danger — whoever else reads the phone (perhaps the person reported) must not learn from
// it that a report was made. Vietnamese is written with its diacritics; matching ignores them,
// so a text sent with or without diacritics is caught alike. Entries are whole words or
// phrases; a trailing * makes the last word a prefix ("abus*": abuse, abused, abuser).
// Single Vietnamese syllables are listed only inside phrases: stripped of diacritics, "đánh"
// (to hit) is also "danh" of "danh sách", and "hại" (harm) is "hai" (two).
var revealing = []string{
	// Vietnamese
	"bạo lực", "bạo hành", "xâm hại", "lạm dụng", "ngược đãi", "hành hạ", "đánh đập", "bị đánh",
	"đánh tôi", "hiếp dâm", "cưỡng hiếp", "cưỡng bức", "tình dục", "quấy rối", "phân biệt đối xử",
	"kỳ thị", "bắt nạt", "đe dọa", "đe doạ", "nạn nhân", "bị hại", "người bị hại", "thủ phạm",
	"người gây hại", "tố cáo", "tố giác", "báo cáo", "nguy hiểm", "an toàn", "bị thương",
	// English
	"violen*", "abus*", "assault*", "harass*", "harm*", "hurt*", "victim*", "perpetrat*",
	"offender*", "attack*", "discriminat*", "danger*", "unsafe", "safe", "safety", "beat*", "hit",
	"rape*", "sexual*", "threat*", "bully", "bullied", "bullying", "report*",
}

// revealingWords is revealing split into normalised words, built once.
var revealingWords = func() [][]string {
	out := make([][]string, len(revealing))
	for i, r := range revealing {
		out[i] = discreetWords(r)
	}
	return out
}()

// discreetWords writes text as the discretion check compares it: without diacritics, lower
// case, split into words at anything but a letter, a digit or the prefix mark *.
func discreetWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(StripDiacritics(text)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '*'
	})
}

// Indiscreet returns the first word or phrase of text that would tell another reader of the
// phone about a report of violence or abuse, or "" when there is none. Every text Caseline
// sends to a person's phone must pass it (the tests of flows and workers run each one
// through it); staff texts are not held to it.
func Indiscreet(text string) string {
	words := discreetWords(text)
	for i, phrase := range revealingWords {
		for at := range words {
			if matchAt(words[at:], phrase) {
				return revealing[i]
			}
		}
	}
	return ""
}

// matchAt reports whether words begins with phrase.
func matchAt(words, phrase []string) bool {
	if len(phrase) == 0 || len(words) < len(phrase) {
		return false
	}
	for i, p := range phrase {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && i == len(phrase)-1 {
			if !strings.HasPrefix(words[i], prefix) {
				return false
			}
			continue
		}
		if words[i] != p {
			return false
		}
	}
	return true
}
