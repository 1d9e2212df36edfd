package flows

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// StripDiacritics writes Vietnamese without diacritics ("không dấu"), as SMS goes by default:
// "Giúp đỡ" becomes "Giup do". đ and Đ do not decompose in Unicode, so they are mapped by hand.
//
// It runs on every SMS turn (keywords, the reply, the message log), so text made of ASCII and
// precomposed Latin letters, which is all Vietnamese in NFC, goes through a table built from
// the full transform at start-up; anything else (combining marks, other scripts, invalid
// UTF-8) takes the full transform. Both give the same result.
func StripDiacritics(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	for _, r := range s[i:] {
		switch {
		case r < utf8.RuneSelf:
			b = append(b, byte(r))
		case r < stripLimit && stripTable[r] != 0:
			b = utf8.AppendRune(b, rune(stripTable[r]))
		default:
			return stripDiacriticsFull(s)
		}
	}
	return string(b)
}

// stripLimit bounds the runes stripTable maps: Latin-1 Supplement to Latin Extended
// Additional, where Vietnamese's precomposed letters are.
const stripLimit = 0x1F00

// stripTable maps a precomposed Latin letter to what stripDiacriticsFull makes of it, or holds
// 0 for a rune the table does not cover. It covers only runes that are NFC starters turning
// into one Latin starter, so runes can be mapped one at a time: no composition across them.
var stripTable = func() *[stripLimit]uint16 {
	var t [stripLimit]uint16
	latin := func(r rune) bool { return r < 0x250 || (r >= 0x1E00 && r < 0x1F00) }
	for r := rune(0x80); r < stripLimit; r++ {
		if !latin(r) || !unicode.IsLetter(r) || !norm.NFC.IsNormalString(string(r)) {
			continue
		}
		out := []rune(stripDiacriticsFull(string(r)))
		if len(out) != 1 || !latin(out[0]) || !unicode.IsLetter(out[0]) || out[0] == 0 {
			continue
		}
		if p := norm.NFC.PropertiesString(string(out[0])); p.CCC() != 0 || !p.BoundaryBefore() {
			continue
		}
		if p := norm.NFC.PropertiesString(string(r)); p.CCC() != 0 || !p.BoundaryBefore() {
			continue
		}
		t[r] = uint16(out[0])
	}
	return &t
}()

// stripDiacriticsFull is StripDiacritics by Unicode decomposition: NFD, drop the nonspacing
// marks, map đ, recompose.
func stripDiacriticsFull(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), runes.Map(func(r rune) rune {
		switch r {
		case 'đ':
			return 'd'
		case 'Đ':
			return 'D'
		}
		return r
	}), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

// NFC returns s in Unicode normal form C, as prompts are stored.
func NFC(s string) string { return norm.NFC.String(s) }

// gsm7Basic is the GSM 03.38 default alphabet: one septet each.
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Extension takes an escape and a septet: two septets each.
const gsm7Extension = "^{}\\[~]|€\f"

// Encoding is how an SMS is encoded on the air.
type Encoding string

// SMS encodings.
const (
	GSM7 Encoding = "GSM-7" // 160 septets in one segment, 153 per segment when split
	UCS2 Encoding = "UCS-2" // 70 UTF-16 units in one segment, 67 per segment when split
)

// SMSInfo is how an SMS text travels: its encoding, length in that encoding and segments.
type SMSInfo struct {
	Encoding Encoding
	Units    int // septets for GSM-7, UTF-16 code units for UCS-2
	Segments int
}

// MeasureSMS tells how text would be encoded and how many segments it takes.
func MeasureSMS(text string) SMSInfo {
	septets, ok := gsm7Septets(text)
	if ok {
		return SMSInfo{Encoding: GSM7, Units: septets, Segments: segments(septets, 160, 153)}
	}
	units := len(utf16.Encode([]rune(text)))
	return SMSInfo{Encoding: UCS2, Units: units, Segments: segments(units, 70, 67)}
}

// gsm7Septets counts text's septets, or reports that text needs UCS-2.
func gsm7Septets(text string) (int, bool) {
	n := 0
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsm7Basic, r):
			n++
		case strings.ContainsRune(gsm7Extension, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

func segments(units, single, multi int) int {
	switch {
	case units == 0:
		return 1
	case units <= single:
		return 1
	default:
		return (units + multi - 1) / multi
	}
}
