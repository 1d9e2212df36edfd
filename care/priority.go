package care

import "time"

// Sex is a person's sex as staff recorded it; "" when not recorded.
type Sex string

// Sexes.
const (
	Female Sex = "female"
	Male   Sex = "male"
)

// Valid reports whether s is a known sex or unrecorded.
func (s Sex) Valid() bool { return s == "" || s == Female || s == Male }

// DisabilityType is the type of disability of the Law on Persons with Disabilities 2010
// (Luật Người khuyết tật, art. 3); "" when not recorded.
type DisabilityType string

// The law's six types.
const (
	DisabilityMobility      DisabilityType = "mobility"       // khuyết tật vận động
	DisabilityHearingSpeech DisabilityType = "hearing_speech" // khuyết tật nghe, nói
	DisabilityVision        DisabilityType = "vision"         // khuyết tật nhìn
	DisabilityPsychosocial  DisabilityType = "psychosocial"   // khuyết tật thần kinh, tâm thần
	DisabilityIntellectual  DisabilityType = "intellectual"   // khuyết tật trí tuệ
	DisabilityOther         DisabilityType = "other"          // khuyết tật khác
)

// DisabilityTypes lists the types in the law's order.
var DisabilityTypes = []DisabilityType{DisabilityMobility, DisabilityHearingSpeech, DisabilityVision,
	DisabilityPsychosocial, DisabilityIntellectual, DisabilityOther}

// Valid reports whether t is one of the law's types or unrecorded.
func (t DisabilityType) Valid() bool { return t == "" || contains(DisabilityTypes, t) }

// DisabilityDegree is the degree of disability of the same law; "" when not recorded.
type DisabilityDegree string

// The law's three degrees.
const (
	DegreeEspeciallySevere DisabilityDegree = "especially_severe" // đặc biệt nặng
	DegreeSevere           DisabilityDegree = "severe"            // nặng
	DegreeMild             DisabilityDegree = "mild"              // nhẹ
)

// DisabilityDegrees lists the degrees, most severe first.
var DisabilityDegrees = []DisabilityDegree{DegreeEspeciallySevere, DegreeSevere, DegreeMild}

// Valid reports whether d is one of the law's degrees or unrecorded.
func (d DisabilityDegree) Valid() bool { return d == "" || contains(DisabilityDegrees, d) }

// Years of birth a person record may hold.
const (
	MinBirthYear = 1900
	MaxBirthYear = 2200
)

// ChildAge is the age under which a person is a child for the priority of their help
// requests (Law on Children 2016: under 16).
const ChildAge = 16

// Priority is what about a person raises the priority of their help requests, as the
// mission asks for women and children.
type Priority struct {
	Child bool // may be under ChildAge
	Woman bool
}

// PriorityOf returns the priority of someone of sex born in birthYear (0: unknown) at now,
// read in the local time zone. A year of birth cannot tell whether this year's birthday
// has passed, so someone who turns ChildAge this year still counts as a child: the doubt
// goes to the child.
func PriorityOf(sex Sex, birthYear int, now time.Time) Priority {
	return Priority{
		Child: birthYear != 0 && now.Year()-birthYear <= ChildAge,
		Woman: sex == Female,
	}
}

// Priority returns the person's priority at now.
func (p *Person) Priority(now time.Time) Priority { return PriorityOf(p.Sex, p.BirthYear, now) }

// Urgent reports whether a help request of category c from someone of this priority goes up
// the urgent ladder: whatever UrgentHelp says for anyone, any request from a child, and a
// woman's request about her safety.
func (pr Priority) Urgent(c HelpCategory, inDanger bool) bool {
	return UrgentHelp(c, inDanger) || pr.Child || (pr.Woman && c.Sensitive())
}

// ChildProtectionNumber is Vietnam's child protection hotline, given to staff with a
// child's safety request.
const ChildProtectionNumber = "111"

// Relation is how someone who registered a person on their behalf is related to them.
type Relation string

// Relations a registration on someone's behalf asks for, in menu order.
const (
	RelationParent  Relation = "parent"
	RelationSpouse  Relation = "spouse"
	RelationChild   Relation = "child"
	RelationSibling Relation = "sibling"
	RelationOther   Relation = "other" // another relative, a neighbour, a friend
)

// Relations lists the relations in menu order.
var Relations = []Relation{RelationParent, RelationSpouse, RelationChild, RelationSibling, RelationOther}

// Valid reports whether r is a known relation or none.
func (r Relation) Valid() bool { return r == "" || contains(Relations, r) }

func contains[T comparable](list []T, x T) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func enumText[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = string(x)
	}
	return out
}

// PINAttempts is how many wrong PINs in a row lock a person's plan status, on every
// channel, for PINLockout.
const PINAttempts = 5

// PINLockout is how long a lockout lasts.
const PINLockout = 15 * time.Minute

// PINLocked reports whether the person's plan status is locked at now.
func (p *Person) PINLocked(now time.Time) bool {
	return p.PINLockedUntil != nil && now.Before(*p.PINLockedUntil)
}
