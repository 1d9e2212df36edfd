package care

import (
	"database/sql/driver"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone is a phone number in E.164 form ("+84901234567"). Its String method masks it, so a
// Phone that reaches a log line shows only its last three digits; E164 gives the number.
type Phone string

// oldMobilePrefixes maps the 11-digit mobile prefixes Vietnam retired in 2018 to the 10-digit
// ones that replaced them. People still write the old ones, and their contacts still hold them.
var oldMobilePrefixes = map[string]string{
	// Viettel
	"162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38", "169": "39",
	// MobiFone
	"120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
	// VinaPhone
	"123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
	// Vietnamobile
	"186": "56", "188": "58",
	// Gmobile
	"199": "59",
}

// ParsePhone normalises a phone number as people and providers write it (0901234567,
// 84901234567, +84 90 123 4567, the retired 0162xxxxxxx) to E.164. Numbers without a country
// code are taken as Vietnamese. Anything that is not a valid number is EINVALID.
func ParsePhone(s string) (Phone, error) {
	digits, plus := phoneDigits(s)
	if digits == "" {
		return "", FieldError("phone", "phone number is empty")
	}
	national := ""
	switch {
	case strings.HasPrefix(digits, "84") && (plus || len(digits) >= 11):
		national = digits[2:]
	case strings.HasPrefix(digits, "0") && !plus:
		national = digits[1:]
	}
	if national != "" && len(national) == 10 {
		if repl, ok := oldMobilePrefixes[national[:3]]; ok {
			national = repl + national[3:]
		}
	}
	candidate := s
	if national != "" {
		candidate = "+84" + national
	} else if plus {
		candidate = "+" + digits
	}
	num, err := phonenumbers.Parse(candidate, "VN")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", FieldError("phone", "not a valid phone number")
	}
	return Phone(phonenumbers.Format(num, phonenumbers.E164)), nil
}

// MustParsePhone is ParsePhone for numbers known to be valid, such as test fixtures.
func MustParsePhone(s string) Phone {
	p, err := ParsePhone(s)
	if err != nil {
		panic(err)
	}
	return p
}

// phoneDigits keeps the digits of s and reports whether it started with '+' (or "00").
// Separators people type (spaces, dots, dashes, brackets) are dropped; any other character
// makes the whole input invalid.
func phoneDigits(s string) (string, bool) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	if !plus && strings.HasPrefix(d, "00") {
		return d[2:], true
	}
	return d, plus
}

// E164 returns the number itself, for storage and providers.
func (p Phone) E164() string { return string(p) }

// String masks the number for logs: the country prefix and the last three digits stay.
func (p Phone) String() string {
	s := string(p)
	if len(s) <= 6 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-6) + s[len(s)-3:]
}

// Value stores the number itself; without it a driver could fall back to String and store the mask.
func (p Phone) Value() (driver.Value, error) { return string(p), nil }
