package care

import "time"

// MessageID identifies a message in the log.
type MessageID int64

// Direction says whether a message came in or went out.
type Direction string

// Directions.
const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Provider is who carried a message.
type Provider string

// Providers.
const (
	ProviderTwilio         Provider = "twilio"
	ProviderAndroid        Provider = "android"        // a cht-gateway Android phone with a local SIM
	ProviderAfricasTalking Provider = "africastalking" // USSD aggregator
)

// Valid reports whether p is a known provider.
func (p Provider) Valid() bool {
	return p == ProviderTwilio || p == ProviderAndroid || p == ProviderAfricasTalking
}

// MessageStatus is where a message is. Delivery receipts are recorded, never relied on.
type MessageStatus string

// Message statuses.
const (
	MsgReceived  MessageStatus = "received"  // inbound
	MsgQueued    MessageStatus = "queued"    // outbound row written, provider not called yet
	MsgSending   MessageStatus = "sending"   // provider being called
	MsgSent      MessageStatus = "sent"      // provider accepted it
	MsgDelivered MessageStatus = "delivered" // receipt says delivered
	MsgFailed    MessageStatus = "failed"    // permanent failure
	MsgSkipped   MessageStatus = "skipped"   // not sent: opted out, unreachable, loop protection
)

// Valid reports whether s is a known status.
func (s MessageStatus) Valid() bool {
	switch s {
	case MsgReceived, MsgQueued, MsgSending, MsgSent, MsgDelivered, MsgFailed, MsgSkipped:
		return true
	}
	return false
}

// Message is one entry of the message log: an SMS, a USSD hop or a voice turn, in or out.
// An outbound message is written with a unique idempotency key before any provider is called.
type Message struct {
	ID             MessageID
	Direction      Direction
	Channel        Channel
	Provider       Provider
	ProviderID     string // Twilio MessageSid/CallSid, cht-gateway id, USSD session and hop
	Phone          Phone  // the person's side: From for inbound, To for outbound
	PersonID       PersonID
	Body           string
	Status         MessageStatus
	IdempotencyKey string // outbound only: e.g. "reminder:42:v3:24h"
	Attempts       int
	NextAttemptAt  *time.Time
	ErrorCode      string
	// StaffID is the staff member who wrote an outbound SMS (StaffSMS); 0 for Caseline's own.
	StaffID   ManagerID
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Receipt is a provider's delivery report on a message it carried for us.
type Receipt struct {
	Provider   Provider
	ProviderID string
	Status     MessageStatus
	ErrorCode  string // the provider's code for a failure, e.g. Twilio's "30003"
	// NumberFailed says the provider blamed the number itself, not the message or the moment
	// (a permanent carrier error: unknown handset, landline, blocked). It counts against the
	// number: SMSFailureLimit in a row and the number is unreachable by SMS.
	NumberFailed bool
}

// SMSFailureLimit is how many SMS to a person's number must fail in a row, each for the
// number's sake (Receipt.NumberFailed), before the number is taken as unreachable by SMS. One
// could be a phone switched off for a while; two in a row, with nothing delivered between,
// is a number that does not take SMS.
const SMSFailureLimit = 2
