package care

import (
	"context"
	"fmt"
)

// Sender hands messages to a provider. twilio-go implements it in gateway/twilio; an Android
// SIM gateway queues them for its next poll instead.
type Sender interface {
	// SendSMS sends body to to and returns the provider's id for the message.
	SendSMS(ctx context.Context, to Phone, body string) (providerID string, err error)
	// Call places a voice call whose TwiML comes from answerURL and returns the call's id.
	Call(ctx context.Context, to Phone, answerURL string) (providerID string, err error)
}

// Router picks the provider that carries outbound SMS to a number (e.g. +84 numbers through
// an Android SIM gateway, others through Twilio).
type Router interface {
	Route(to Phone) Provider
}

// ProviderError is a provider's refusal. It says whether trying again can help, so the
// sender backs off on 5xx and 429 and stops on permanent errors (21211 invalid number,
// 21610 unsubscribed).
type ProviderError struct {
	Provider Provider
	Status   int    // HTTP status, 0 when the request never got an answer
	Code     string // the provider's error code, e.g. "21211"
	Message  string
	retry    bool
}

// NewProviderError returns a ProviderError that is retryable or not.
func NewProviderError(p Provider, status int, code, msg string, retryable bool) *ProviderError {
	return &ProviderError{Provider: p, Status: status, Code: code, Message: msg, retry: retryable}
}

// Error implements the error interface.
func (e *ProviderError) Error() string {
	return fmt.Sprintf("%s refused: status %d code %s: %s", e.Provider, e.Status, e.Code, e.Message)
}

// Retryable reports whether sending again later may succeed.
func (e *ProviderError) Retryable() bool { return e.retry }

// Unreachable reports whether the number itself cannot be reached (invalid, not a mobile).
func (e *ProviderError) Unreachable() bool {
	switch e.Code {
	case "21211", "21214", "21217", "21614", "30005", "30006":
		return true
	}
	return false
}

// Unsubscribed reports whether the recipient opted out at the provider (Twilio 21610).
func (e *ProviderError) Unsubscribed() bool { return e.Code == "21610" }
