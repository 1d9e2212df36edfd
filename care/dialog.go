package care

import "time"

// DialogSession is the state of one conversation: one per (channel, key), where the key is
// the phone number for SMS and voice and the aggregator's session id for USSD.
type DialogSession struct {
	ID      int64
	Channel Channel
	Key     string
	Phone   Phone
	Flow    string
	State   string
	// Vars holds what the flow collected so far (name, commune, category …).
	Vars      map[string]string
	Language  Language
	Version   int
	UpdatedAt time.Time
}

// USSDEndStatus is how Africa's Talking says a USSD session ended.
type USSDEndStatus string

// USSD session ends, as Africa's Talking names them.
const (
	USSDSuccess    USSDEndStatus = "Success"    // the session reached an END screen
	USSDIncomplete USSDEndStatus = "Incomplete" // the person left a screen that waited for input
	USSDFailed     USSDEndStatus = "Failed"     // an error ended it; ErrorMessage says which
)

// Valid reports whether s is one of Africa's Talking's statuses.
func (s USSDEndStatus) Valid() bool {
	return s == USSDSuccess || s == USSDIncomplete || s == USSDFailed
}

// USSDSessionEnd is how a USSD session ended, as the aggregator reported it, with where its
// dialog stood then: what a report of the states people leave from counts.
type USSDSessionEnd struct {
	SessionID    string
	Phone        Phone
	Status       USSDEndStatus
	Hops         int           // requests in the session
	Duration     time.Duration // from the dial to the end
	ErrorMessage string
	NetworkCode  string
	Cost         string // as the aggregator wrote it, e.g. "VND 200"
	// Flow and State are where the session's dialog stood when it ended ("" when idle, or
	// when Caseline never saw the session); the store fills them.
	Flow, State string
	EndedAt     time.Time
}
