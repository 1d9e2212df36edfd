// Package gatewaytest holds what the tests of the gateway's doors share: a stand-in dialog
// engine that records each turn, and request helpers for each door's wire format (signed
// Twilio form posts, Africa's Talking USSD posts, the Android gateway's JSON polls). Only
// tests import it; a lint rule and cmd/caseline's import test keep it so.
package gatewaytest
