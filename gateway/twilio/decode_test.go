package twilio

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/twiml"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// Malformed bodies that a signature cannot cover (the validator itself rejects a body that
// does not parse) still get a reason from the decoders.
func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		decode func() error
		field  string
	}{
		{"sms bad escape", func() error { _, err := decodeSMS([]byte("MessageSid=SM1&From=%zz")); return err }, "body"},
		{"sms empty", func() error { _, err := decodeSMS(nil); return err }, "MessageSid"},
		{"voice bad query", func() error { _, err := decodeVoice("step=%zz", []byte(voiceForm().Encode())); return err }, "query"},
		{"voice negative step", func() error { _, err := decodeVoice("step=-1", []byte(voiceForm().Encode())); return err }, "step"},
		{"voice huge step", func() error { _, err := decodeVoice("step=99999999999", []byte(voiceForm().Encode())); return err }, "step"},
		{"voice outbound without To", func() error {
			_, err := decodeVoice("", []byte(voiceForm("Direction", "outbound-api", "To", "-").Encode()))
			return err
		}, "To"},
		{"voice outbound bad about", func() error {
			_, err := decodeVoice("about=a%20b", []byte(voiceForm("Direction", "outbound-api").Encode()))
			return err
		}, "about"},
		{"status long error code", func() error {
			_, err := decodeSMSStatus([]byte("MessageSid=SM1&MessageStatus=failed&ErrorCode=" + strings.Repeat("9", 17)))
			return err
		}, "ErrorCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.decode()
			require.Error(t, err)
			require.Equal(t, care.EINVALID, care.ErrorCode(err))
			require.Equal(t, tt.field, care.ErrorField(err))
		})
	}
}

// checkDecoded holds for every Input a decoder accepts, and for every error it returns.
func checkDecoded(t *testing.T, in flows.Input, err error) {
	t.Helper()
	if err != nil {
		var ce *care.Error
		require.True(t, errors.As(err, &ce), "decoders return care errors, got %T", err)
		require.NotEmpty(t, ce.Field, "a 400 names the field at fault")
		return
	}
	require.True(t, in.Channel.Valid())
	require.True(t, in.Provider.Valid())
	require.True(t, strings.HasPrefix(in.Phone.E164(), "+"), "phone %q", in.Phone.E164())
	require.NotEmpty(t, in.ProviderID)
}

// checkTwiML builds the answer for text and requires well-formed XML.
func checkTwiML(t *testing.T, verbs []twiml.Element) {
	t.Helper()
	doc, err := twiml.Voice(verbs)
	require.NoError(t, err)
	dec := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, "TwiML must be well-formed: %q", doc)
	}
}

func FuzzDecodeSMS(f *testing.F) {
	f.Add([]byte(smsForm().Encode()))
	f.Add([]byte(smsForm("Body", "a\xff\x00b").Encode()))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeSMS(body)
		checkDecoded(t, in, err)
		if err != nil {
			return
		}
		require.Equal(t, care.ChannelSMS, in.Channel)
		require.True(t, care.TextOK(in.Text), "what reaches the engine can be stored: %q", in.Text)
		// Whatever a person sends may be echoed in a prompt; the answer must stay valid XML.
		text := flows.SMSText(flows.Prompt{Text: in.Text, Options: []flows.Option{{Key: "1", Label: in.Text}}}, true)
		require.True(t, utf8.ValidString(text))
		checkTwiML(t, []twiml.Element{&twiml.MessagingMessage{Body: text}})
	})
}

func FuzzDecodeVoice(f *testing.F) {
	f.Add("step=3", []byte(voiceForm("Digits", "2").Encode()))
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		in, err := decodeVoice(query, body)
		checkDecoded(t, in, err)
		if err != nil {
			return
		}
		require.Equal(t, care.ChannelVoice, in.Channel)
		require.False(t, in.New && in.NoInput, "a first request is not a time-out")
		require.True(t, in.Outbound == "" || in.New, "only a first request says what a call is about")
		checkTwiML(t, renderVoice(flows.Reply{Prompt: flows.Prompt{Text: in.Text + in.Outbound, Expect: flows.ExpectChoice}}, voice, voiceStyle{}))
	})
}
