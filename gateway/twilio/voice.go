package twilio

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/twilio/twilio-go/twiml"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
	"github.com/caseline/caseline/gateway/twilio/tts"
)

// Voice timing and limits (PRODUCT.md §6).
const (
	gatherTimeout     = 10 // seconds to wait for a key; at least 10 s
	slowGatherTimeout = 20 // in slow mode
	maxDigits         = 32
	maxAbout          = 64
	// dialTimeout is how long a person's phone rings before the <Dial> gives up and the
	// caller's call-back request is recorded.
	dialTimeout = 25
)

// dialStatuses are the values Twilio posts as DialCallStatus to a <Dial>'s action.
var dialStatuses = map[string]bool{
	"completed": true, "answered": true, "busy": true, "no-answer": true, "failed": true, "canceled": true,
}

// Voice serves POST /twilio/voice: a call's first request and every <Gather> and <Dial>
// action under it. The query carries what the TwiML we rendered put there: step (the
// dialog's step, absent on a call's first request), noinput=1 (the <Redirect> after a
// <Gather> that got no key), dial=1 (a <Dial>'s action, with DialCallStatus in the form),
// and about (what an outbound call is about, set in its answer URL).
func (h *Handlers) Voice(w http.ResponseWriter, r *http.Request) {
	body, err := gateway.ReadBody(r)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	in, err := decodeVoice(r.URL.RawQuery, body)
	if err != nil {
		gateway.Text(w, r, err)
		return
	}
	reply, ok := h.handle(r.Context(), in)
	if !ok {
		h.writeTwiML(w, r, func() (string, error) { return twiml.Voice(apologyVoice(h.voices)) })
		return
	}
	if len(reply.Prompt.Options) > flows.VoiceMaxOptions {
		h.logger(r.Context()).Warn().Int("options", len(reply.Prompt.Options)).Msg("voice menu over five options; the rest are not said")
	}
	style := voiceStyle{slow: reply.Slow, voices: h.voices, audio: h.audio, audioURL: h.audioURL}
	verbs := renderVoice(reply, h.voiceURL, style)
	h.writeTwiML(w, r, func() (string, error) { return twiml.Voice(verbs) })
}

// decodeVoice turns a voice webhook (its query and form body) into an Input.
func decodeVoice(rawQuery string, body []byte) (flows.Input, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return flows.Input{}, care.FieldError("query", "not a valid query string")
	}
	form, err := parseForm(body)
	if err != nil {
		return flows.Input{}, err
	}
	callSid, err := sid(form, "CallSid")
	if err != nil {
		return flows.Input{}, err
	}
	// On calls we placed, From is our number and To is the person.
	outbound := strings.HasPrefix(form.Get("Direction"), "outbound")
	key := "From"
	if outbound {
		key = "To"
	}
	person, err := phone(form, key)
	if err != nil {
		return flows.Input{}, err
	}
	digits := form.Get("Digits")
	if len(digits) > maxDigits || strings.Trim(digits, "0123456789*#") != "" {
		return flows.Input{}, care.FieldError("Digits", "not keypad digits")
	}
	step := "0"
	isNew := !q.Has("step")
	if !isNew {
		n, err := strconv.ParseUint(q.Get("step"), 10, 31)
		if err != nil {
			return flows.Input{}, care.FieldError("step", "not a step number")
		}
		step = strconv.FormatUint(n, 10)
	}
	in := flows.Input{
		Channel:    care.ChannelVoice,
		Provider:   care.ProviderTwilio,
		Phone:      person,
		ProviderID: callSid + ":" + step,
		Text:       digits,
		NoInput:    !isNew && digits == "",
		New:        isNew,
	}
	if !isNew && q.Get("dial") == "1" {
		status := form.Get("DialCallStatus")
		if !dialStatuses[status] {
			return flows.Input{}, care.FieldError("DialCallStatus", "not a dial status")
		}
		in.DialStatus, in.NoInput = status, false
	}
	if isNew && outbound {
		about := q.Get("about")
		if len(about) > maxAbout || strings.ContainsFunc(about, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return flows.Input{}, care.FieldError("about", "not a valid subject")
		}
		in.Outbound = about
	}
	return in, nil
}

// voiceStyle changes how a prompt is said.
type voiceStyle struct {
	// slow says each sentence on its own, with a pause after it, and waits longer for a key.
	// twilio-go's SSML elements render as <Prosody>/<Break>, which Twilio's SSML (lower-case
	// <prosody>) does not recognise, and SSML works only with neural voices; plain <Say>
	// with <Pause> works with every voice and language.
	slow bool
	// voices say each language; where one names no voice, DefaultVoiceVI or DefaultVoiceEN do.
	voices Voices
	// audio holds the recorded prompts (PROMPT_AUDIO_DIR), played from audioURL + their file
	// instead of said; nil says everything.
	audio    *flows.PromptAudio
	audioURL string
}

// renderVoice turns a reply into TwiML verbs that say its words, flows.VoiceLines (what the
// message log keeps of the turn):
//   - a menu or question: <Gather input="dtmf" numDigits="1" timeout="10" action=…?step=N>
//     saying the text and the options, then a <Redirect> to …?step=N&noinput=1 for silence;
//     a number (ExpectDigits) is gathered up to '#' instead of one key;
//   - Prompt.Person: the text, then <Dial timeout="25" action=…?step=N&dial=1> to the person,
//     whose action tells the dialog how the call ended;
//   - an end (or nothing asked): the text, then <Hangup/>.
//
// An option in another language than the prompt's is said by that language's voice, in a
// <Say> of its own: a Vietnamese voice reading "English" helps no English speaker.
func renderVoice(reply flows.Reply, voiceURL string, style voiceStyle) []twiml.Element {
	p := reply.Prompt
	if reply.Silent {
		return []twiml.Element{&twiml.VoiceHangup{}}
	}
	step := strconv.Itoa(reply.Step)
	said := say(style, sentences(flows.VoiceLines(reply), style.audio)...)
	if p.Person != "" {
		return append(said, &twiml.VoiceDial{Number: p.Person.E164(),
			Timeout: strconv.Itoa(dialTimeout), Action: voiceURL + "?step=" + step + "&dial=1", Method: "POST"})
	}
	if p.End || (p.Expect == flows.ExpectNothing && len(p.Options) == 0) {
		return append(said, &twiml.VoiceHangup{})
	}
	g := &twiml.VoiceGather{
		Input:         "dtmf",
		NumDigits:     "1",
		Timeout:       strconv.Itoa(gatherTimeout),
		Action:        voiceURL + "?step=" + step,
		Method:        "POST",
		InnerElements: said,
	}
	if p.Expect == flows.ExpectDigits {
		g.NumDigits, g.FinishOnKey = "", "#"
	}
	if style.slow {
		g.Timeout = strconv.Itoa(slowGatherTimeout)
	}
	return []twiml.Element{g, &twiml.VoiceRedirect{Url: voiceURL + "?step=" + step + "&noinput=1", Method: "POST"}}
}

// sentence is one thing said, in its language, or played: file is a recording of it
// (relative to the audio URL) when one exists.
type sentence struct {
	text string
	lang care.Language
	file string
}

// sentences are the lines said, each in its language, or played: where audio holds a
// recording of a prompt a line's text is made of, or of an option's label, that part is
// played and the words around it said, in order.
func sentences(lines []flows.VoiceLine, audio *flows.PromptAudio) []sentence {
	var out []sentence
	for _, l := range lines {
		if l.Option != nil {
			out = append(out, pressSentences(l.Language, *l.Option, audio)...)
			continue
		}
		for _, piece := range audio.Split(l.Language, l.Text) {
			out = append(out, sentence{piece.Text, l.Language, piece.File})
		}
	}
	return out
}

// pressSentences says one option, "For help, press 3." or "Giúp đỡ, bấm 3.", playing its
// label where audio has a recording of it and saying the rest.
func pressSentences(lang care.Language, o flows.Option, audio *flows.PromptAudio) []sentence {
	file, ok := audio.Label(lang, o.Label)
	if !ok {
		return []sentence{{flows.PressPhrase(lang, o), lang, ""}}
	}
	label := sentence{o.Label, lang, file}
	rest := flows.PressPhrase(lang, flows.Option{Key: o.Key})
	if lang == care.English {
		press := strings.TrimPrefix(strings.TrimPrefix(rest, "For "), ", ")
		if strings.HasPrefix(o.Label, "to ") {
			// A purpose: the label played, then "press 0." said.
			return []sentence{label, {press, lang, ""}}
		}
		// "For , press 3." around the label: "For" said, the label played, "press 3." said.
		return []sentence{{"For", lang, ""}, label, {press, lang, ""}}
	}
	return []sentence{label, {strings.TrimPrefix(rest, ", "), lang, ""}}
}

// say makes <Say> verbs for sentences, each in its language's voice: one <Say> for each run
// of sentences in one language, or in slow mode one per sentence, each followed by a pause.
func say(style voiceStyle, sentences ...sentence) []twiml.Element {
	var out []twiml.Element
	for i := 0; i < len(sentences); {
		sp := style.voices.speaker(sentences[i].lang)
		if sentences[i].file != "" {
			out = append(out, &twiml.VoicePlay{Url: style.audioURL + sentences[i].file})
			if style.slow {
				out = append(out, &twiml.VoicePause{Length: "1"})
			}
			i++
			continue
		}
		if style.slow {
			out = append(out, sp.say(sentences[i].text), &twiml.VoicePause{Length: "1"})
			i++
			continue
		}
		var run []string
		for ; i < len(sentences) && sentences[i].file == "" && style.voices.speaker(sentences[i].lang) == sp; i++ {
			run = append(run, sentences[i].text)
		}
		out = append(out, sp.say(strings.Join(run, " ")))
	}
	return out
}

// Voices names the Twilio voice that says the prompts of each language (TWILIO_VOICE_VI,
// TWILIO_VOICE_EN). Twilio's default voice speaks no Vietnamese, and a voice that does not
// speak the <Say>'s language may fail it: every <Say> names both (package tts has the table).
type Voices struct {
	Vietnamese string
	English    string
}

// The voices that say a language when Voices names none: Google's, the only ones Twilio
// speaks Vietnamese with, and in English the same family.
const (
	DefaultVoiceVI = "Google.vi-VN-Standard-A"
	DefaultVoiceEN = "Google.en-US-Standard-C"
)

// speaker is how a prompt language is said: a <Say>'s language and voice.
type speaker struct{ language, voice string }

// speaker says l: in Vietnamese unless English.
func (v Voices) speaker(l care.Language) speaker {
	if l == care.English {
		return speaker{tts.English, cmp.Or(v.English, DefaultVoiceEN)}
	}
	return speaker{tts.Vietnamese, cmp.Or(v.Vietnamese, DefaultVoiceVI)}
}

// say is a <Say> of text in the speaker's language and voice.
func (s speaker) say(text string) *twiml.VoiceSay {
	return &twiml.VoiceSay{Message: text, Language: s.language, Voice: s.voice}
}

// apologyVoice says the apology in both languages and hangs up.
func apologyVoice(v Voices) []twiml.Element {
	return []twiml.Element{
		v.speaker(care.Vietnamese).say(gateway.ApologyVI),
		v.speaker(care.English).say(gateway.ApologyEN),
		&twiml.VoiceHangup{},
	}
}
