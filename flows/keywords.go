package flows

import (
	"slices"
	"strings"
	"unicode"
)

// keyword is an SMS command that works from anywhere in a conversation.
type keyword string

// The keywords.
const (
	kwRegister keyword = "register"
	kwStatus   keyword = "status"
	kwHelp     keyword = "help"
	kwStop     keyword = "stop"   // the carriers' opt-out words: no more messages, at once
	kwOptOut   keyword = "optout" // the explicit opt-out, which asks to confirm first
	kwStart    keyword = "start"
	kwMenu     keyword = "menu"
	kwCancel   keyword = "cancel" // HUY, DUNG…: leave the flow for the main menu, never an opt-out
	// kwLeave is CANCEL, END, QUIT: inside a conversation they mean what HUY means (back to
	// the main menu); only between conversations are they the carriers' opt-out words.
	kwLeave      keyword = "leave"
	kwVietnamese keyword = "vi"
	kwEnglish    keyword = "en"
	kwAck        keyword = "ack"
)

// spelling is one way of writing a keyword, as NormalizeKeyword writes it.
type spelling struct {
	text string
	kw   keyword
	// exact spellings never match with a typo.
	exact bool
	// marked, when set, are the only forms with diacritics the spelling takes: "Đúng" (right)
	// and "Dũng" (a name) are not DỪNG, though all three are DUNG without them.
	marked []string
}

// spellings lists every keyword's spellings. Exact ones:
//   - the carriers' opt-out words (Twilio blocks further messages after any of them as a
//     single word, so they stop at once here too): an immediate opt-out must never be a
//     guess, so "SHOP" or "STEP" is never STOP. CANCEL, END and QUIT are among them, but
//     typed inside a conversation they mean "leave this", as HUY does (kwLeave);
//   - the explicit opt-out phrases: no typo makes an opt-out, not even one that asks first;
//   - the cancel words, everyday syllables one letter from many names (Dũng, Hùng, Tùng,
//     Bạch): a cancel missed costs nothing, the person is asked again.
//
// Opting out in Vietnamese or English otherwise takes a phrase nobody types by accident,
// NGỪNG NHẬN TIN or STOP MESSAGES, and a confirmation. HUY ("huỷ", cancel) is what people
// type to leave a menu, so it only ever goes back to the main menu.
var spellings = []spelling{
	{text: "DK", kw: kwRegister}, {text: "DANG KY", kw: kwRegister}, {text: "DANGKY", kw: kwRegister},
	{text: "DANG KI", kw: kwRegister}, {text: "DANGKI", kw: kwRegister}, {text: "REG", kw: kwRegister},
	{text: "REGISTER", kw: kwRegister},
	{text: "TT", kw: kwStatus}, {text: "STATUS", kw: kwStatus}, {text: "TRANG THAI", kw: kwStatus},
	{text: "TRANGTHAI", kw: kwStatus},
	{text: "GIUP", kw: kwHelp}, {text: "GIUP DO", kw: kwHelp}, {text: "GIUPDO", kw: kwHelp},
	{text: "TRO GIUP", kw: kwHelp}, {text: "TROGIUP", kw: kwHelp}, {text: "HELP", kw: kwHelp},
	{text: "SOS", kw: kwHelp},
	{text: "STOP", kw: kwStop, exact: true}, {text: "STOPALL", kw: kwStop, exact: true},
	{text: "STOP ALL", kw: kwStop, exact: true}, {text: "UNSUBSCRIBE", kw: kwStop, exact: true},
	{text: "CANCEL", kw: kwLeave, exact: true}, {text: "END", kw: kwLeave, exact: true},
	{text: "QUIT", kw: kwLeave, exact: true}, {text: "REVOKE", kw: kwStop, exact: true},
	{text: "OPTOUT", kw: kwStop, exact: true},
	{text: "NGUNG NHAN TIN", kw: kwOptOut, exact: true}, {text: "NGUNGNHANTIN", kw: kwOptOut, exact: true},
	{text: "STOP MESSAGES", kw: kwOptOut, exact: true},
	{text: "BAT DAU", kw: kwStart}, {text: "BATDAU", kw: kwStart}, {text: "START", kw: kwStart},
	{text: "MENU", kw: kwMenu},
	{text: "HUY", kw: kwCancel, exact: true, marked: []string{"HỦY", "HUỶ"}},
	{text: "DUNG", kw: kwCancel, exact: true, marked: []string{"DỪNG"}},
	{text: "THOI", kw: kwCancel, exact: true, marked: []string{"THÔI"}},
	{text: "THOAT", kw: kwCancel, exact: true, marked: []string{"THOÁT"}},
	{text: "QUAY LAI", kw: kwCancel, exact: true, marked: []string{"QUAY LẠI"}},
	{text: "TRO LAI", kw: kwCancel, exact: true, marked: []string{"TRỞ LẠI"}},
	{text: "BACK", kw: kwCancel, exact: true}, {text: "EXIT", kw: kwCancel, exact: true},
	{text: "VI", kw: kwVietnamese}, {text: "TIENG VIET", kw: kwVietnamese}, {text: "TIENGVIET", kw: kwVietnamese},
	{text: "EN", kw: kwEnglish}, {text: "ENGLISH", kw: kwEnglish},
}

// typoLetters is the fewest letters a word and a keyword need before one typo is forgiven:
// among shorter words, one letter makes too many other words.
const typoLetters = 4

// notKeywords are real words one typo from a keyword that must stay themselves: Giáp, a
// name, and giữa ("between") are one letter from GIUP. TestCommonNamesAreNotKeywords finds
// any other common name that would need adding.
var notKeywords = []string{"GIAP", "GIUA"}

// NormalizeKeyword writes text as keywords are matched: without diacritics, upper case,
// punctuation dropped, single spaces ("  Giúp! " becomes "GIUP").
func NormalizeKeyword(text string) string { return words(StripDiacritics(text)) }

// words writes text in upper case, punctuation dropped, single spaces.
func words(text string) string {
	s := strings.ToUpper(text)
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// matchKeyword finds the keyword an SMS is, with its argument (the escalation number of
// XN/ACK). Only a whole message is a keyword, so a name or a description is never taken
// for one unless it is nothing else. With typos set, a message one edit (a letter changed,
// added or dropped, or two neighbours swapped: GUIP, GIUPP, GIPU) from a keyword of four
// letters or more is that keyword, when no other keyword is as close.
func matchKeyword(text string, typos bool) (keyword, string) {
	n := NormalizeKeyword(text)
	for _, sp := range spellings {
		if sp.text == n && sp.takes(text, n) {
			return sp.kw, ""
		}
	}
	f := strings.Fields(n)
	if len(f) == 2 && (f[0] == "XN" || f[0] == "ACK") && strings.Trim(f[1], "0123456789") == "" && len(f[1]) <= 18 {
		return kwAck, f[1]
	}
	if len(f) == 1 && len(f[0]) > 2 && len(f[0]) <= 20 {
		for _, p := range []string{"XN", "ACK"} {
			if rest, ok := strings.CutPrefix(f[0], p); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
				return kwAck, rest
			}
		}
	}
	if !typos || letters(n) < typoLetters || len(n) > 30 {
		return "", ""
	}
	for _, w := range notKeywords {
		if n == w {
			return "", ""
		}
	}
	var (
		found    keyword
		eligible bool
		rn       = []rune(n)
	)
	for _, sp := range spellings {
		if !oneEdit(rn, []rune(sp.text)) {
			continue
		}
		if found != "" && found != sp.kw {
			return "", "" // as close to another keyword: no guess
		}
		found = sp.kw
		eligible = eligible || (!sp.exact && letters(sp.text) >= typoLetters)
	}
	if !eligible {
		return "", ""
	}
	return found, ""
}

// takes reports whether the spelling takes text, normalised to n: any text without
// diacritics, and of those with them only its marked forms.
func (sp spelling) takes(text, n string) bool {
	if sp.marked == nil {
		return true
	}
	w := words(NFC(text))
	return w == n || slices.Contains(sp.marked, w)
}

// letters counts the letters of s.
func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// oneEdit reports whether a turns into b by exactly one edit: a character changed, added or
// dropped, or two neighbours swapped.
func oneEdit(a, b []rune) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if len(a) > len(b) {
		return slices.Equal(a[i+1:], b[i:])
	}
	if i == len(a) {
		return false // the same
	}
	if slices.Equal(a[i+1:], b[i+1:]) {
		return true
	}
	return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && slices.Equal(a[i+2:], b[i+2:])
}
