package care

import (
	"strings"
	"unicode/utf8"
)

// StaffSMS is an SMS a staff member writes to a person: deaf people reach us by SMS only, so
// their case manager writes to them instead of calling. It goes through the normal outbound
// path (a queued message row the workers send), is kept in the message log with the staff
// member who wrote it, and is audited. A staff member may write only to people of the
// communes they see.
type StaffSMS struct {
	PersonID PersonID
	// Text is what the staff member wrote; the composer makes it the SMS body.
	Text string
	// Key, when set, makes the request idempotent: the same staff member writing with the
	// same key to the same person sends one SMS, however often the request is repeated.
	Key string
}

// MaxStaffSMSRunes bounds what a staff member writes. The composer also checks the SMS it
// makes fits MaxStaffSMSSegments.
const MaxStaffSMSRunes = 450

// MaxStaffSMSSegments is the most segments a staff member's SMS may take (PRODUCT.md: no
// SMS exceeds three).
const MaxStaffSMSSegments = 3

// Validate checks the text and key, naming the field at fault.
func (m *StaffSMS) Validate() error {
	if !TextOK(m.Text) {
		return FieldError("text", "text must be valid UTF-8 without NUL characters")
	}
	if strings.TrimSpace(m.Text) == "" {
		return FieldError("text", "text is required")
	}
	if utf8.RuneCountInString(m.Text) > MaxStaffSMSRunes {
		return FieldError("text", "text is longer than %d characters", MaxStaffSMSRunes)
	}
	if !TextOK(m.Key) || len(m.Key) > 100 {
		return FieldError("key", "key must be at most 100 bytes of text")
	}
	return nil
}

// SMSComposer turns what a staff member wrote into the SMS for person p: the body as it will
// be sent (in the person's text mode) and the provider that carries it. It refuses, with a
// FieldError on "text", what must not reach the person's phone or does not fit.
type SMSComposer func(p *Person, text string) (body string, provider Provider, err error)
