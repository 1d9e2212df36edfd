package gateway_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/twilio"
	"github.com/caseline/caseline/gateway/ussd"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// The message log keeps each reply as its provider got it: the <Message> of Twilio's SMS
// answer, the body Africa's Talking got for a USSD hop, the words of a call's <Say>s. (The
// Android gateway hands out the logged row itself.)
func TestTheLogKeepsWhatTheProviderGot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := storetest.NewPool(t)
	clock := caretest.NewClock(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))
	st := store.New(pool, clock)
	const stranger, accented = "+84987000001", "+84912000001"
	w := storetest.NewWorld(t, st)
	w.Person(w.Commune("27001"), func(p *care.Person) { p.Phone, p.Name, p.Diacritics = accented, "Hoa", true })
	engine := flows.NewEngine(flows.Deps{Turns: st, Clock: clock})
	tw, err := twilio.New(twilio.Deps{Engine: engine, Status: st, PublicBaseURL: "https://caseline.example.org", Log: zerolog.Nop()})
	require.NoError(t, err)
	ud, err := ussd.New(ussd.Deps{Engine: engine, Token: "t", Log: zerolog.Nop()})
	require.NoError(t, err)

	post := func(h http.HandlerFunc, target string, form url.Values) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return rec.Body.String()
	}
	logged := func(ch care.Channel, phone string) string {
		t.Helper()
		var body string
		require.NoError(t, pool.QueryRow(ctx, `SELECT body FROM message WHERE direction = 'out' AND channel = $1 AND phone = $2
			ORDER BY created_at DESC, id DESC LIMIT 1`, ch, phone).Scan(&body))
		return body
	}
	n := 0
	sms := func(from, text string) (string, string) {
		n++
		doc := post(tw.SMS, "/twilio/sms", url.Values{"MessageSid": {"SM" + strings.Repeat("0", 31) + string(rune('a'+n))},
			"From": {from}, "Body": {text}})
		return twiML(t, doc, "Message"), logged(care.ChannelSMS, from)
	}
	hops := ""
	hop := func(text string) (string, string) {
		if text != "" {
			hops = strings.TrimPrefix(hops+"*"+text, "*")
		}
		got := post(ud.ServeHTTP, "/ussd/africastalking?token=t", url.Values{"sessionId": {"ATUid_1"},
			"phoneNumber": {stranger}, "serviceCode": {"*123#"}, "text": {hops}})
		return got, logged(care.ChannelUSSD, stranger)
	}
	voice := func(query, digits string) (string, string) {
		form := url.Values{"CallSid": {"CA" + strings.Repeat("0", 32)}, "From": {accented}, "Direction": {"inbound"}}
		if digits != "" {
			form.Set("Digits", digits)
		}
		return twiML(t, post(tw.Voice, "/twilio/voice"+query, form), "Say"), logged(care.ChannelVoice, accented)
	}
	tests := []struct {
		name string
		turn func() (wire, log string)
	}{
		{"sms without diacritics", func() (string, string) { return sms(stranger, "MENU") }},
		{"sms answering the menu", func() (string, string) { return sms(stranger, "2") }},
		{"sms with diacritics, as the person asked", func() (string, string) { return sms(accented, "MENU") }},
		{"ussd first screen", func() (string, string) { return hop("") }},
		{"ussd next screen", func() (string, string) { return hop("2") }},
		{"voice menu with its keys", func() (string, string) { return voice("", "") }},
		{"voice answer", func() (string, string) { return voice("?step=1", "2") }},
	}
	for _, tt := range tests { // in order: each turn follows the one before
		wire, log := tt.turn()
		require.NotEmpty(t, wire, tt.name)
		require.Equal(t, wire, log, tt.name)
		clock.Advance(time.Minute)
	}
}

// twiML joins the text of doc's elements named name, at any depth, as said or sent.
func twiML(t *testing.T, doc, name string) string {
	t.Helper()
	type node struct {
		XMLName  xml.Name
		Text     string `xml:",chardata"`
		Children []node `xml:",any"`
	}
	var root node
	require.NoError(t, xml.Unmarshal([]byte(doc), &root), doc)
	var out []string
	var walk func(n node)
	walk = func(n node) {
		if n.XMLName.Local == name {
			out = append(out, n.Text)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	return strings.Join(out, " ")
}
