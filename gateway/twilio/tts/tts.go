package tts

import (
	"slices"
	"strings"
)

// The languages of Caseline's prompts, as <Say language="…"> names them.
const (
	Vietnamese = "vi-VN"
	English    = "en-US"
)

// What Twilio uses for a <Say> without a voice or a language attribute (the account's
// console setting aside): the basic voice "man" in American English.
const (
	DefaultVoice    = "man"
	DefaultLanguage = English
)

// voices maps each voice to the languages it speaks. Kept from Twilio's "Text-to-Speech:
// available voices and languages" table,
// https://www.twilio.com/docs/voice/twiml/say/text-speech#available-voices-and-languages
// (read 2026-11 through copies of it; check it again before adding a voice):
//   - Vietnamese is spoken only by Google voices: vi-VN Standard A–D and Wavenet A–D. No
//     vi-VN Neural2 or Chirp3-HD voice was listed, so none is accepted here; add one when
//     Twilio lists it.
//   - American English: the basic voices man and woman (which also speak British English,
//     Spanish, French and German), Amazon Polly's standard and neural en-US voices, and
//     Google's en-US Standard, Wavenet and Neural2 voices. Polly's generative voices and
//     Google's Chirp3-HD voices are left out until a deployment needs them.
//
// "alice", Twilio's retired multilingual voice, is in no list: Twilio maps it to other
// voices now, and it never spoke Vietnamese.
var voices = func() map[string][]string {
	m := map[string][]string{
		"man":   {English, "en-GB", "es-ES", "fr-FR", "de-DE"},
		"woman": {English, "en-GB", "es-ES", "fr-FR", "de-DE"},
	}
	add := func(lang string, names ...string) {
		for _, n := range names {
			m[n] = append(m[n], lang)
		}
	}
	for _, v := range "ABCD" {
		add(Vietnamese, "Google.vi-VN-Standard-"+string(v), "Google.vi-VN-Wavenet-"+string(v))
	}
	for _, v := range "ABCDEFGHIJ" {
		add(English, "Google.en-US-Standard-"+string(v), "Google.en-US-Wavenet-"+string(v))
	}
	for _, v := range "ACDEFGHIJ" { // Twilio lists no en-US Neural2-B
		add(English, "Google.en-US-Neural2-"+string(v))
	}
	for _, n := range []string{"Ivy", "Joanna", "Joey", "Justin", "Kendra", "Kimberly", "Matthew", "Salli"} {
		add(English, "Polly."+n, "Polly."+n+"-Neural")
	}
	for _, n := range []string{"Danielle", "Gregory", "Kevin", "Ruth", "Stephen"} {
		add(English, "Polly."+n+"-Neural")
	}
	return m
}()

// Known reports whether voice is one of Twilio's voices in the table.
func Known(voice string) bool {
	_, ok := voices[voice]
	return ok
}

// Speaks reports whether Twilio's voice speaks language. Language tags compare without
// regard to case ("vi-vn" is "vi-VN"), as Twilio's do.
func Speaks(voice, language string) bool {
	return slices.ContainsFunc(voices[voice], func(l string) bool { return strings.EqualFold(l, language) })
}

// Voices lists the voices that speak language, sorted.
func Voices(language string) []string {
	var out []string
	for v := range voices {
		if Speaks(v, language) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}
