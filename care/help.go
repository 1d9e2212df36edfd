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
	HelpOther  HelpCategory = "other"
)

// HelpCategories lists the categories in menu order.
var HelpCategories = []HelpCategory{HelpHealth, HelpDevice, HelpMoney, HelpSchool, HelpAbuse, HelpOther}

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
	CreatedAt   time.Time
}

// Urgent reports whether the request escalates at once with the urgent SLA.
func (h *HelpRequest) Urgent() bool { return h.InDanger || h.Category == HelpAbuse }
