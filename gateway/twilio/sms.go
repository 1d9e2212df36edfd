package twilio

import (
	"errors"
	"net/http"

	"github.com/twilio/twilio-go/twiml"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/spool"
)

// SMS serves POST /twilio/sms: one inbound message, answered with TwiML
// <Response><Message>…</Message></Response>, or <Response/> when the engine stays silent.
func (h *Handlers) SMS(w http.ResponseWriter, r *http.Request) {
	body, err := gateway.ReadBody(r)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	in, err := decodeSMSWith(body, h.phones.Parse)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	// The spool takes the message when the database cannot: nothing answered 200 is lost.
	reply, spooled, err := h.spool.Turn(r.Context(), h.engine, in)
	var text string
	switch {
	case errors.Is(err, spool.ErrUnsaved):
		gateway.TurnFailed(h.logger(r.Context()), in, err)
		gateway.Text(w, r, gateway.TryLater())
		return
	case err != nil:
		gateway.TurnFailed(h.logger(r.Context()), in, err)
		text = gateway.ApologyText(" ")
	case spooled:
		text = flows.StripDiacritics(spool.Received)
	default:
		text = reply.Text // "" when the engine stays silent; as the message log keeps it
	}
	h.writeTwiML(w, r, messageTwiML(text))
}

// decodeSMS turns a Twilio SMS webhook's form body into an Input.
func decodeSMS(body []byte) (flows.Input, error) { return decodeSMSWith(body, care.ParsePhone) }

// decodeSMSWith is decodeSMS parsing the sender's number with parse.
func decodeSMSWith(body []byte, parse func(string) (care.Phone, error)) (flows.Input, error) {
	form, err := parseForm(body)
	if err != nil {
		return flows.Input{}, err
	}
	id, err := sid(form, "MessageSid")
	if err != nil {
		return flows.Input{}, err
	}
	from, err := phoneWith(form, "From", parse)
	if err != nil {
		return flows.Input{}, err
	}
	return flows.Input{
		Channel:    care.ChannelSMS,
		Provider:   care.ProviderTwilio,
		Phone:      from,
		ProviderID: id,
		Text:       form.Get("Body"),
	}, nil
}

// messageTwiML answers with one <Message>, or an empty <Response/> for no text.
func messageTwiML(text string) func() (string, error) {
	return func() (string, error) {
		if text == "" {
			return twiml.Messages(nil)
		}
		return twiml.Messages([]twiml.Element{&twiml.MessagingMessage{Body: text}})
	}
}

// writeTwiML builds a TwiML document and writes it as text/xml. Building cannot fail for
// the elements used here; if it ever does, Twilio gets an empty response rather than a 500.
func (h *Handlers) writeTwiML(w http.ResponseWriter, r *http.Request, build func() (string, error)) {
	doc, err := build()
	if err != nil {
		h.logger(r.Context()).Error().Err(err).Msg("build twiml")
		doc = `<?xml version="1.0" encoding="UTF-8"?><Response/>`
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(doc))
}
