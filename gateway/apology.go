package gateway

import "github.com/caseline/caseline/flows"

// The apology every channel gives when a turn could not be handled, in its one wording. The
// caller's language is unknown then, so it is said in both, Vietnamese first.
const (
	ApologyVI = "Xin lỗi, hệ thống đang gặp sự cố. Vui lòng thử lại sau."
	ApologyEN = "Sorry, something went wrong. Please try again later."
)

// ApologyText is the apology as a text channel carries it (an SMS, a USSD screen): both
// languages without diacritics, joined by sep. It fits one GSM-7 segment and one screen.
func ApologyText(sep string) string {
	return flows.StripDiacritics(ApologyVI + sep + ApologyEN)
}
