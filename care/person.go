package care

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"
)

// PersonID identifies a person.
type PersonID int64

// Language is a prompt language.
type Language string

// The languages every prompt exists in.
const (
	Vietnamese Language = "vi"
	English    Language = "en"
)

// Valid reports whether l is a supported language.
func (l Language) Valid() bool { return l == Vietnamese || l == English }

// Channel is how a person reaches us or we reach them.
type Channel string

// Channels.
const (
	ChannelSMS   Channel = "sms"
	ChannelUSSD  Channel = "ussd"
	ChannelVoice Channel = "voice"
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return c == ChannelSMS || c == ChannelUSSD || c == ChannelVoice }

// Disability is one entry of a person's accessibility profile; it decides channels.
type Disability string

// Accessibility profile entries that change how we reach a person.
const (
	Deaf         Disability = "deaf"         // never called
	Blind        Disability = "blind"        // called for reminders and check-ins
	LowLiteracy  Disability = "low_literacy" // short text, voice where possible
	Mobility     Disability = "mobility"
	Intellect    Disability = "intellectual"
	Psychosocial Disability = "psychosocial"
)

// Valid reports whether d is a known profile entry.
func (d Disability) Valid() bool {
	switch d {
	case Deaf, Blind, LowLiteracy, Mobility, Intellect, Psychosocial:
		return true
	}
	return false
}

// PersonStatus is where a person stands with us.
type PersonStatus string

// Person statuses.
const (
	PersonActive      PersonStatus = "active"
	PersonOptedOut    PersonStatus = "opted_out"   // sent HUY/STOP: receives nothing until START
	PersonUnreachable PersonStatus = "unreachable" // the provider says the number cannot be reached
)

// Valid reports whether s is a known status.
func (s PersonStatus) Valid() bool {
	return s == PersonActive || s == PersonOptedOut || s == PersonUnreachable
}

// Person is someone with a disability we serve (or someone registered on their behalf).
type Person struct {
	ID       PersonID
	Phone    Phone
	Name     string
	Commune  CommuneCode
	Language Language
	// Profile lists the disabilities that decide how we reach the person.
	Profile []Disability
	// Channel is how the person prefers to be reached.
	Channel Channel
	// Diacritics asks for SMS with Vietnamese diacritics (UCS-2) instead of the default không dấu.
	Diacritics bool
	// ConsentAt is when the person (or the caregiver for them) consented; nil means no consent yet.
	ConsentAt *time.Time
	// CaregiverName and CaregiverPhone are optional; CaregiverConsent allows copies to the caregiver.
	CaregiverName    string
	CaregiverPhone   Phone
	CaregiverConsent bool
	// RegisteredBy is set when a family member registered the person on their behalf.
	RegisteredBy Phone
	// RegisteredRelation is how whoever registered the person is related to them (a
	// Relation); what the person is told names it, never the registrant's number.
	RegisteredRelation Relation
	// PINHash is set when the person shares a phone and wants a PIN before their plan is read.
	PINHash string
	// PINFailures counts wrong PINs in a row; PINLockedUntil, when set and still ahead, is
	// the end of a lockout after PINAttempts of them. The dialog store keeps both; staff
	// clear them (ClearPINLock).
	PINFailures    int
	PINLockedUntil *time.Time
	// Sex, BirthYear, DisabilityType and DisabilityDegree are optional (zero when unknown)
	// and set only by staff, never asked over the phone. Sex and BirthYear decide the
	// priority of help requests (Priority).
	Sex              Sex
	BirthYear        int
	DisabilityType   DisabilityType
	DisabilityDegree DisabilityDegree
	Status           PersonStatus
	// SMSUnreachableAt is when SMS to the person's number failed SMSFailureLimit times in a
	// row for the number's sake; nil while SMS get through. The store sets and clears it from
	// delivery receipts (a delivered SMS or a new number clears it); nothing else writes it.
	SMSUnreachableAt *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Has reports whether the person's profile includes d.
func (p *Person) Has(d Disability) bool {
	for _, x := range p.Profile {
		if x == d {
			return true
		}
	}
	return false
}

// ReachBy returns the channel for reminders and check-ins: deaf people are never called,
// blind people are called, everyone else gets what they chose (SMS when that is USSD, since
// a USSD session cannot be started by us), or a call when their number takes no SMS.
func (p *Person) ReachBy() Channel {
	switch {
	case p.Has(Deaf):
		return ChannelSMS
	case p.Has(Blind), p.Channel == ChannelVoice, p.SMSUnreachableAt != nil:
		return ChannelVoice
	}
	return ChannelSMS
}

// Validate checks what the database cannot say in a friendly way.
func (p *Person) Validate() error {
	if p.Phone == "" {
		return FieldError("phone", "phone is required")
	}
	if strings.TrimSpace(p.Name) == "" {
		return FieldError("name", "name is required")
	}
	if len([]rune(p.Name)) > 100 {
		return FieldError("name", "name is longer than 100 characters")
	}
	if p.Commune == "" {
		return FieldError("commune", "commune is required")
	}
	if !p.Language.Valid() {
		return FieldError("language", "language must be vi or en")
	}
	if !p.Channel.Valid() {
		return FieldError("channel", "channel must be sms, ussd or voice")
	}
	for _, d := range p.Profile {
		if !d.Valid() {
			return FieldError("profile", "unknown accessibility profile %q", d)
		}
	}
	if !p.Status.Valid() {
		return FieldError("status", "unknown status %q", p.Status)
	}
	if p.CaregiverConsent && p.CaregiverPhone == "" {
		return FieldError("caregiver_phone", "caregiver consent needs a caregiver phone")
	}
	if !p.Sex.Valid() {
		return FieldError("sex", "sex must be female or male")
	}
	if p.BirthYear != 0 && (p.BirthYear < MinBirthYear || p.BirthYear > MaxBirthYear) {
		return FieldError("birth_year", "birth_year must be %d to %d", MinBirthYear, MaxBirthYear)
	}
	if !p.DisabilityType.Valid() {
		return FieldError("disability_type", "disability_type must be one of %s", strings.Join(enumText(DisabilityTypes), ", "))
	}
	if !p.DisabilityDegree.Valid() {
		return FieldError("disability_degree", "disability_degree must be one of %s", strings.Join(enumText(DisabilityDegrees), ", "))
	}
	if !p.RegisteredRelation.Valid() {
		return FieldError("registered_relation", "unknown relation %q", p.RegisteredRelation)
	}
	return nil
}

// pinIterations makes a guessed PIN cost something without slowing a USSD hop noticeably.
const pinIterations = 20000

// HashPIN returns a salted hash of a 4 to 6 digit PIN; only the hash is stored.
func HashPIN(pin string) (string, error) {
	if !validPIN(pin) {
		return "", FieldError("pin", "PIN must be 4 to 6 digits")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, pinIterations, 32)
	if err != nil {
		return "", err
	}
	return "pbkdf2-sha256$" + hex.EncodeToString(salt) + "$" + hex.EncodeToString(key), nil
}

// CheckPIN reports whether pin matches hash, in constant time.
func CheckPIN(hash, pin string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 3 || parts[0] != "pbkdf2-sha256" || !validPIN(pin) {
		return false
	}
	salt, err1 := hex.DecodeString(parts[1])
	want, err2 := hex.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, pinIterations, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

func validPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 6 {
		return false
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
