package phone

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
)

// SMSReply is the service's answer to one SMS.
type SMSReply struct {
	// MessageSid identifies the message that was sent.
	MessageSid string
	// Messages are the texts of the TwiML <Message> verbs, in order; none for <Response/>.
	Messages []string
}

// SMS sends body to the service as Twilio delivers an inbound SMS (POST /twilio/sms, signed)
// and returns the messages of its TwiML reply.
func (p *Phone) SMS(ctx context.Context, body string) (SMSReply, error) {
	sid := NewSID("SM")
	form := url.Values{
		"MessageSid":    {sid},
		"SmsSid":        {sid},
		"SmsMessageSid": {sid},
		"AccountSid":    {p.opts.AccountSID},
		"From":          {p.number.E164()},
		"To":            {p.opts.To},
		"Body":          {body},
		"NumMedia":      {"0"},
		"NumSegments":   {"1"},
		"SmsStatus":     {"received"},
		"ApiVersion":    {"2010-04-01"},
	}
	u, err := p.endpoint(SMSPath)
	if err != nil {
		return SMSReply{}, fmt.Errorf("sms: %w", err)
	}
	raw, err := p.post(ctx, u, form, true)
	if err != nil {
		return SMSReply{}, fmt.Errorf("sms: %w", err)
	}
	msgs, err := ParseMessages(raw)
	if err != nil {
		return SMSReply{}, fmt.Errorf("sms: %w", err)
	}
	return SMSReply{MessageSid: sid, Messages: msgs}, nil
}

// messagingResponse is a messaging TwiML document. A <Message> holds its text directly or
// in a <Body> child.
type messagingResponse struct {
	XMLName  xml.Name `xml:"Response"`
	Messages []struct {
		Text string `xml:",chardata"`
		Body string `xml:"Body"`
	} `xml:"Message"`
}

// ParseMessages returns the texts of the <Message> verbs of a messaging TwiML document.
func ParseMessages(twiml []byte) ([]string, error) {
	var doc messagingResponse
	if err := xml.Unmarshal(twiml, &doc); err != nil {
		return nil, fmt.Errorf("parse twiml: %w", err)
	}
	out := make([]string, 0, len(doc.Messages))
	for _, m := range doc.Messages {
		text := m.Body
		if text == "" {
			text = strings.TrimSpace(m.Text)
		}
		out = append(out, text)
	}
	return out, nil
}
