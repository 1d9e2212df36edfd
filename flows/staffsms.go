package flows

import (
	"strings"

	"github.com/caseline/caseline/care"
)

// ComposeStaffSMS returns the composer of what staff write to a person (care.StaffSMS): the
// text in NFC, without diacritics unless the person asked for them, carried by the provider
// r routes the person's number to. It refuses text that would tell another reader of the
// phone about a report (Indiscreet: the rule holds for every SMS to a person's phone,
// whoever wrote it) and text longer than care.MaxStaffSMSSegments segments once composed.
func ComposeStaffSMS(r care.Router) care.SMSComposer {
	return func(p *care.Person, text string) (string, care.Provider, error) {
		body := strings.TrimSpace(NFC(text))
		if !p.Diacritics {
			body = StripDiacritics(body)
		}
		if w := Indiscreet(body); w != "" {
			return "", "", care.FieldError("text", "the text says %q: another reader of the person's phone could learn of a report; write it another way", w)
		}
		if n := MeasureSMS(body).Segments; n > care.MaxStaffSMSSegments {
			return "", "", care.FieldError("text", "the text takes %d SMS; at most %d", n, care.MaxStaffSMSSegments)
		}
		return body, r.Route(p.Phone), nil
	}
}
