package flows

import (
	"strings"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// StripDiacritics writes Vietnamese without diacritics ("không dấu"), as SMS goes by default:
// "Giúp đỡ" becomes "Giup do". đ and Đ do not decompose in Unicode, so they are mapped by hand.
func StripDiacritics(s string) string {
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
