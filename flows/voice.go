package flows

import (
	"strings"

	"github.com/caseline/caseline/care"
)

// VoiceLine is one thing a call says, in its language: a prompt's text, or an option as
// "Giúp đỡ, bấm 3." / "For help, press 3.".
type VoiceLine struct {
	Text     string
	Language care.Language
	// Option is the option the line says (nil for the prompt's text): a voice renderer may
	// play a recording of its label instead of saying the label's words.
	Option *Option
}

// VoiceLines are the words a call says for r, in order: the prompt's text, its options (at
// most five), then, on a menu that waits for a key, the keys every menu has (Reply.Keys) that
// the menu does not offer already. They are what a voice turn is logged as, and the voice
// renderer says them and nothing else.
func VoiceLines(r Reply) []VoiceLine {
	if r.Silent {
		return nil
	}
	p := r.Prompt
	var out []VoiceLine
	if t := strings.TrimSpace(p.Text); t != "" {
		out = append(out, VoiceLine{Text: t, Language: p.Language})
	}
	opts := p.Options
	if len(opts) > VoiceMaxOptions {
		opts = opts[:VoiceMaxOptions]
	}
	for _, o := range opts {
		lang := p.Language
		if o.Language != "" {
			lang = o.Language
		}
		out = append(out, VoiceLine{Text: PressPhrase(lang, o), Language: lang, Option: &o})
	}
	if p.Person != "" || p.End || p.Expect != ExpectChoice {
		return out
	}
	for _, k := range extraKeys(p.Options, r.Keys) {
		out = append(out, VoiceLine{Text: PressPhrase(p.Language, k), Language: p.Language, Option: &k})
	}
	return out
}

// voiceText is what a voice turn is logged as: its lines, said one after the other. The call
// hears exactly these words (a recorded label plays the same words), whereas the TwiML
// around them (voices, URLs, pauses) is the renderer's and tells a reader of the log nothing.
func voiceText(r Reply) string {
	lines := VoiceLines(r)
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
	}
	return strings.Join(texts, " ")
}

// extraKeys are the keys every menu has that the menu does not offer already, by key or by
// label (a menu asking "talk to a person?" needs no "0 for a person" after it).
func extraKeys(options, keys []Option) []Option {
	var out []Option
	for _, k := range keys {
		dup := false
		for _, o := range options {
			if o.Key == k.Key || strings.EqualFold(o.Label, k.Label) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// PressPhrase says one option: "For help, press 3." or "Giúp đỡ, bấm 3."; an English label
// that is a purpose ("to speak to a person") is said as one: "To speak to a person, press 0."
// With no label it is the words around one: "For , press 3." or ", bấm 3.".
func PressPhrase(lang care.Language, o Option) string {
	key := o.Key
	if lang == care.English {
		switch key {
		case "*":
			key = "star"
		case "#":
			key = "pound"
		}
		if rest, ok := strings.CutPrefix(o.Label, "to "); ok {
			return "To " + rest + ", press " + key + "." // "To speak to a person, press 0."
		}
		return "For " + o.Label + ", press " + key + "."
	}
	switch key {
	case "*":
		key = "sao"
	case "#":
		key = "thăng"
	}
	return o.Label + ", bấm " + key + "."
}
