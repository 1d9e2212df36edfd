package tts_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/gateway/twilio/tts"
)

func TestSpeaks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		voice, language string
		want            bool
	}{
		{"Google.vi-VN-Standard-A", tts.Vietnamese, true},
		{"Google.vi-VN-Wavenet-D", "vi-vn", true},
		{"Google.vi-VN-Standard-E", tts.Vietnamese, false},
		{"Google.vi-VN-Neural2-A", tts.Vietnamese, false},
		{"Google.vi-VN-Standard-A", tts.English, false},
		{"Google.en-US-Standard-C", tts.English, true},
		{"Google.en-US-Neural2-B", tts.English, false},
		{"Polly.Joanna", tts.English, true},
		{"Polly.Ruth-Neural", tts.English, true},
		{"Polly.Ruth", tts.English, false},
		{"Polly.Joanna", tts.Vietnamese, false},
		{"man", tts.English, true},
		{tts.DefaultVoice, tts.Vietnamese, false},
		{"woman", "fr-FR", true},
		{"alice", tts.Vietnamese, false},
		{"alice", tts.English, false},
		{"", tts.Vietnamese, false},
	}
	for _, tt := range tests {
		t.Run(tt.voice+"/"+tt.language, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tts.Speaks(tt.voice, tt.language))
		})
	}
}

func TestVoices(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{
		"Google.vi-VN-Standard-A", "Google.vi-VN-Standard-B", "Google.vi-VN-Standard-C", "Google.vi-VN-Standard-D",
		"Google.vi-VN-Wavenet-A", "Google.vi-VN-Wavenet-B", "Google.vi-VN-Wavenet-C", "Google.vi-VN-Wavenet-D",
	}, tts.Voices(tts.Vietnamese), "Twilio speaks Vietnamese only with Google voices")
	en := tts.Voices(tts.English)
	require.Contains(t, en, "Polly.Matthew-Neural")
	require.Contains(t, en, "man")
	require.Len(t, en, 2+10+10+9+16+5)
	require.True(t, tts.Known("woman"))
	require.False(t, tts.Known("alice"))
}
