package twilio

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/twilio/twilio-go/twiml"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/twilio/tts"
)

// says lists every <Say> of a TwiML document, at any depth.
func says(t *testing.T, doc string) []node {
	t.Helper()
	return elements(t, doc, "Say")
}

// unspoken lists what is wrong with the <Say>s of doc: one without a voice (Twilio's
// default voice speaks no Vietnamese), in a language other than want (or one of also: an
// option in another language is said in that one), or in a voice that does not speak its
// language.
func unspoken(t *testing.T, doc, want string, also ...string) []string {
	t.Helper()
	var out []string
	for _, s := range says(t, doc) {
		voice, lang := s.Attrs["voice"], s.Attrs["language"]
		switch {
		case voice == "":
			out = append(out, "no voice: "+s.Text)
		case lang != want && !slices.Contains(also, lang):
			out = append(out, "said in "+lang+": "+s.Text)
		case !tts.Speaks(voice, lang):
			out = append(out, voice+" does not speak "+lang+": "+s.Text)
		}
	}
	return out
}

// TestEveryVoicePromptOfEveryFlowIsSpokenInItsLanguage renders every prompt a call can say
// (flows keeps the list, see flows/testdata/voice_prompts.json) in every voice style, with
// the default voices and with others, and checks each <Say>.
func TestEveryVoicePromptOfEveryFlowIsSpokenInItsLanguage(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "flows", "testdata", "voice_prompts.json"))
	require.NoError(t, err)
	var prompts []struct {
		Where  string
		Prompt flows.Prompt
	}
	require.NoError(t, json.Unmarshal(raw, &prompts))
	require.NotEmpty(t, prompts)
	// The keys every menu has, as a call's first menu says them (their words do not matter here).
	keys := []flows.Option{{Key: "*", Label: "*"}, {Key: "0", Label: "0"}, {Key: "9", Label: "9"}}
	langs := map[care.Language]string{care.Vietnamese: tts.Vietnamese, care.English: tts.English}
	for _, v := range []Voices{{}, {Vietnamese: "Google.vi-VN-Wavenet-B", English: "Polly.Joanna-Neural"}} {
		seen := map[care.Language]int{}
		for _, p := range prompts {
			want, ok := langs[p.Prompt.Language]
			require.True(t, ok, "%s: language %q", p.Where, p.Prompt.Language)
			var also []string
			for _, o := range p.Prompt.Options {
				if o.Language != "" {
					also = append(also, langs[o.Language])
				}
			}
			for _, style := range []voiceStyle{{voices: v}, {voices: v, slow: true}} {
				for _, r := range []flows.Reply{{Prompt: p.Prompt, Step: 3}, {Prompt: p.Prompt, Step: 3, Keys: keys}} {
					doc, err := twiml.Voice(renderVoice(r, voice, style))
					require.NoError(t, err)
					require.Empty(t, unspoken(t, doc, want, also...), "%s: %s", p.Where, doc)
					seen[p.Prompt.Language] += len(says(t, doc))
				}
			}
		}
		require.Positive(t, seen[care.Vietnamese])
		require.Positive(t, seen[care.English])
		doc, err := twiml.Voice(apologyVoice(v))
		require.NoError(t, err)
		spoken := says(t, doc)
		require.Len(t, spoken, 2, "the apology is said in both languages")
		for i, lang := range []string{tts.Vietnamese, tts.English} {
			require.Equal(t, lang, spoken[i].Attrs["language"])
			require.True(t, tts.Speaks(spoken[i].Attrs["voice"], lang), "apology: %s", doc)
		}
	}
}

// TestTheSayCheckFails proves unspoken catches what it is for.
func TestTheSayCheckFails(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		`<Response><Say language="vi-VN">Xin chào</Say></Response>`,
		`<Response><Gather><Say language="vi-VN" voice="alice">Xin chào</Say></Gather></Response>`,
		`<Response><Say language="vi-VN" voice="Polly.Joanna">Xin chào</Say></Response>`,
		`<Response><Say language="en-US" voice="Google.en-US-Standard-C">Hello</Say></Response>`,
	} {
		require.Len(t, unspoken(t, doc, tts.Vietnamese), 1, doc)
	}
	require.Empty(t, unspoken(t, `<Response><Say language="vi-VN" voice="Google.vi-VN-Wavenet-A">Xin chào</Say></Response>`, tts.Vietnamese))
}
