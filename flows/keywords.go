package flows

import (
	"strings"
	"unicode"
)

// keyword is an SMS command that works from anywhere in a conversation.
type keyword string

// The keywords.
const (
	kwRegister   keyword = "register"
	kwStatus     keyword = "status"
	kwHelp       keyword = "help"
	kwStop       keyword = "stop"
	kwStart      keyword = "start"
	kwMenu       keyword = "menu"
	kwVietnamese keyword = "vi"
	kwEnglish    keyword = "en"
	kwAck        keyword = "ack"
)

// keywordWords maps each spelling, normalised, to its keyword.
func keywordWord(w string) keyword {
	switch w {
	case "DK", "DANG KY", "DANGKY", "DANG KI", "DANGKI", "REG", "REGISTER":
		return kwRegister
	case "TT", "STATUS", "TRANG THAI", "TRANGTHAI":
		return kwStatus
	case "GIUP", "GIUP DO", "GIUPDO", "TRO GIUP", "TROGIUP", "HELP", "SOS":
		return kwHelp
	case "HUY", "STOP", "UNSUBSCRIBE":
		return kwStop
	case "BAT DAU", "BATDAU", "START":
		return kwStart
	case "MENU":
		return kwMenu
	case "VI", "TIENG VIET", "TIENGVIET":
		return kwVietnamese
	case "EN", "ENGLISH":
		return kwEnglish
	}
	return ""
}

// NormalizeKeyword writes text as keywords are matched: without diacritics, upper case,
// punctuation dropped, single spaces ("  Giúp! " becomes "GIUP").
func NormalizeKeyword(text string) string {
	s := strings.ToUpper(StripDiacritics(text))
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
// for one unless it is nothing else.
func matchKeyword(text string) (keyword, string) {
	n := NormalizeKeyword(text)
	if kw := keywordWord(n); kw != "" {
		return kw, ""
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
	return "", ""
}
