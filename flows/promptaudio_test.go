package flows

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestScanPromptAudioRefusesWhatNoPromptIs(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"vi/bye.mp3":         {Data: []byte("a")},
		"vi/opt_yes.wav":     {Data: []byte("a")},
		"en/bye.wav":         {Data: []byte("a")},
		"vi/.DS_Store":       {Data: []byte("a")},
		"vi/by.mp3":          {Data: []byte("a")}, // a typo
		"vi/bye.ogg":         {Data: []byte("a")},
		"vi/reg_done.mp3":    {Data: []byte("a")}, // has {ref}
		"fr/bye.mp3":         {Data: []byte("a")},
		"bye.mp3":            {Data: []byte("a")},
		"en/bye.mp3":         {Data: []byte("a")}, // a second en/bye
		"vi/sub/invalid.mp3": {Data: []byte("a")},
		".git/HEAD":          {Data: []byte("a")},
	}
	a, problems, err := ScanPromptAudio(fsys, ShippedPrompts())
	require.NoError(t, err)
	got := map[string]string{}
	for _, p := range problems {
		got[p.Prompts[0]] = p.Rule
	}
	require.Equal(t, map[string]string{
		"vi/by.mp3":       "matches no prompt id (see `caseline prompts list`)",
		"vi/bye.ogg":      "not an .mp3 or .wav recording",
		"vi/reg_done.mp3": "the prompt has placeholders filled in for each person: a call always says it",
		"fr":              "not a language folder (vi, en)",
		"bye.mp3":         "a recording must be in a language folder: <lang>/<prompt-id>.mp3",
		"en/bye.wav":      "a second recording of bye (en/bye.mp3): keep one",
		"vi/sub":          "not a language folder (vi, en)",
	}, got)
	f, ok := a.File(care.Vietnamese, keyBye)
	require.True(t, ok)
	require.Equal(t, "vi/bye.mp3", f)
	_, err = a.Open("vi/by.mp3")
	require.Error(t, err, "only recordings of prompts open")
	_, err = a.Open("vi/bye.mp3")
	require.NoError(t, err)
}

func TestSplitPlaysWholePromptsOnly(t *testing.T) {
	t.Parallel()
	a, problems, err := ScanPromptAudio(fstest.MapFS{
		"vi/opt_yes.mp3": {Data: []byte("a")}, // "Có"
		"vi/invalid.mp3": {Data: []byte("a")}, // "Mời bạn chọn lại."
	}, ShippedPrompts())
	require.NoError(t, err)
	require.Empty(t, problems)
	for _, tt := range []struct {
		text string
		want []AudioPiece
	}{
		{"Mời bạn chọn lại.", []AudioPiece{{Text: "Mời bạn chọn lại.", File: "vi/invalid.mp3"}}},
		{"Xin lỗi. Mời bạn chọn lại. Có", []AudioPiece{{Text: "Xin lỗi."},
			{Text: "Mời bạn chọn lại.", File: "vi/invalid.mp3"}, {Text: "Có", File: "vi/opt_yes.mp3"}}},
		{"Có thể Mời bạn chọn lại.", []AudioPiece{{Text: "Có thể Mời bạn chọn lại."}}}, // neither starts a sentence whole
		{"Bạn có đang gặp nguy hiểm không?", []AudioPiece{{Text: "Bạn có đang gặp nguy hiểm không?"}}},
	} {
		require.Equal(t, tt.want, a.Split(care.Vietnamese, tt.text), tt.text)
	}
	require.Equal(t, []AudioPiece{{Text: "Mời bạn chọn lại."}}, a.Split(care.English, "Mời bạn chọn lại."), "no English recordings")
	_, ok := a.Label(care.Vietnamese, "Có")
	require.True(t, ok)
	_, ok = a.Label(care.Vietnamese, "Có thể")
	require.False(t, ok)
	var none *PromptAudio
	require.Equal(t, []AudioPiece{{Text: "Có"}}, none.Split(care.Vietnamese, "Có"))
}
