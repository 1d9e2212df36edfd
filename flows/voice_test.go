package flows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// The keys every menu has are said after its options, less those the menu offers already,
// by key or by label.
func TestVoiceLinesSkipKeysTheMenuOffers(t *testing.T) {
	t.Parallel()
	keys := []flows.Option{{Key: "*", Label: "Nghe lại"}, {Key: "0", Label: "Gặp cán bộ xã"}, {Key: "9", Label: "Nghe chậm hơn"}}
	tests := []struct {
		name    string
		options []flows.Option
		want    []string
	}{
		{"a plain menu gets them all", []flows.Option{{Key: "1", Label: "Đăng ký"}},
			[]string{"Đăng ký, bấm 1.", "Nghe lại, bấm sao.", "Gặp cán bộ xã, bấm 0.", "Nghe chậm hơn, bấm 9."}},
		{"same label", []flows.Option{{Key: "1", Label: "Có"}, {Key: "2", Label: "nghe lại"}},
			[]string{"Có, bấm 1.", "nghe lại, bấm 2.", "Gặp cán bộ xã, bấm 0.", "Nghe chậm hơn, bấm 9."}},
		{"same key", []flows.Option{{Key: "9", Label: "Thêm"}},
			[]string{"Thêm, bấm 9.", "Nghe lại, bấm sao.", "Gặp cán bộ xã, bấm 0."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := flows.Reply{Keys: keys, Prompt: flows.Prompt{Options: tt.options, Expect: flows.ExpectChoice, Language: care.Vietnamese}}
			var got []string
			for _, l := range flows.VoiceLines(r) {
				got = append(got, l.Text)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// A call that ends, or dials a person, or waits for a number says no keys.
func TestVoiceLinesSayKeysOnlyOnAMenu(t *testing.T) {
	t.Parallel()
	keys := []flows.Option{{Key: "*", Label: "repeat"}}
	for _, p := range []flows.Prompt{
		{Text: "Bye.", End: true, Expect: flows.ExpectChoice},
		{Text: "Connecting.", Person: "+84901000001", Expect: flows.ExpectChoice},
		{Text: "Your PIN, then hash.", Expect: flows.ExpectDigits},
	} {
		p.Language = care.English
		lines := flows.VoiceLines(flows.Reply{Prompt: p, Keys: keys})
		require.Len(t, lines, 1, p.Text)
		require.Equal(t, p.Text, lines[0].Text)
	}
}
