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
