package care

import "time"

// HelpRequestID identifies a help request; its number is also the reference people are given.
type HelpRequestID int64

// HelpCategory is what a person asks help with.
type HelpCategory string

// Help categories, in menu order.
const (
	HelpHealth HelpCategory = "health"
	HelpDevice HelpCategory = "device" // assistive device or rehabilitation
	HelpMoney  HelpCategory = "money"  // allowance or money
	HelpSchool HelpCategory = "school" // school or work
	HelpAbuse  HelpCategory = "abuse"  // violence, abuse or discrimination: discreet
	// HelpCallback asks a person to call back: the help menu's "talk to a person", and a
	// voice caller's 0 when nobody answered the <Dial>.
	HelpCallback HelpCategory = "callback"
	HelpOther    HelpCategory = "other"
)

// HelpCategories lists the categories in menu order.
var HelpCategories = []HelpCategory{HelpHealth, HelpDevice, HelpMoney, HelpSchool, HelpAbuse, HelpCallback, HelpOther}

// Valid reports whether c is a known category.
func (c HelpCategory) Valid() bool {
	for _, x := range HelpCategories {
		if x == c {
			return true
		}
	}
	return false
}

// Sensitive reports whether later messages must not mention the request's subject.
func (c HelpCategory) Sensitive() bool { return c == HelpAbuse }

// UrgentHelp reports whether a help request of category c goes up the urgent ladder: the
// caller said they are in danger, or it is about their safety. One rule for a request
// filed in a conversation and for one reported unfinished (a safety report broken off may
// mean the caller was interrupted by the person they were reporting).
func UrgentHelp(c HelpCategory, inDanger bool) bool { return inDanger || c.Sensitive() }

// HelpStatus is where a help request stands.
type HelpStatus string

// Help request statuses.
const (
	HelpOpen     HelpStatus = "open"
	HelpResolved HelpStatus = "resolved"
)

// HelpRequest is a request for help, from a registered person or anyone at all:
// no one is turned away.
type HelpRequest struct {
	ID          HelpRequestID
	PersonID    PersonID // 0 when the caller is not registered
	Phone       Phone
	Commune     CommuneCode // the person's, or "" when unknown
	Category    HelpCategory
	Description string
	InDanger    bool
	Channel     Channel
	Status      HelpStatus
	// Unfinished marks a request the caller began (chose its category) and never finished:
	// reported by the workers so a person can follow it up, never called back automatically.
	Unfinished bool
	CreatedAt  time.Time
}

// Urgent reports whether the request escalates at once with the urgent SLA.
func (h *HelpRequest) Urgent() bool { return UrgentHelp(h.Category, h.InDanger) }
