package flows

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// voicePromptsFile lists every prompt a call can say, for tests outside flows that say them
// (gateway/twilio renders each and checks every <Say> names a voice that speaks its language).
const voicePromptsFile = "testdata/voice_prompts.json"

// voicePrompt is one entry of voicePromptsFile.
type voicePrompt struct {
	Where  string `json:"where"`
	Prompt Prompt `json:"prompt"`
}

// TestVoicePromptsFile keeps voicePromptsFile current: each state of each flow that speaks on
// calls, in both languages, with each notice it can carry, filled as the state walk fills it
// and paged as a call hears it. `go test ./flows -update` rewrites it.
func TestVoicePromptsFile(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	var all []voicePrompt
	seen := map[string]bool{}
	add := func(where string, p Prompt) {
		key, err := json.Marshal(p)
		require.NoError(t, err)
		if !seen[string(key)] {
			seen[string(key)] = true
			all = append(all, voicePrompt{Where: where, Prompt: p})
		}
	}
	walkPrompts(e, []care.HelpCategory{care.HelpAbuse, care.HelpHealth}, func(r rendering) {
		if r.ch != care.ChannelVoice {
			return
		}
		for _, pg := range r.s.pages(r.p) {
			add(string(r.flow)+"/"+r.state+" "+string(r.lang)+" "+r.notice, pg)
		}
	})
	require.Greater(t, len(all), 50, "every flow says something on a call")

	got, err := json.MarshalIndent(all, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		require.NoError(t, os.WriteFile(filepath.FromSlash(voicePromptsFile), got, 0o644))
		return
	}
	want, err := os.ReadFile(filepath.FromSlash(voicePromptsFile))
	require.NoError(t, err, "run go test ./flows -update")
	require.True(t, bytes.Equal(want, got), "%s is stale: run go test ./flows -update and read its diff", voicePromptsFile)
}
