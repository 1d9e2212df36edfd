package care_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestTextOKAndCleanText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		ok    bool
		clean string
	}{
		{in: "Xin chào", ok: true, clean: "Xin chào"},
		{in: "", ok: true, clean: ""},
		{in: "a\x00b", ok: false, clean: "ab"},
		{in: "a\xffb", ok: false, clean: "a\uFFFDb"},
		{in: "\x00\xc3\x28\x00", ok: false, clean: "\uFFFD("},
	} {
		require.Equal(t, tc.ok, care.TextOK(tc.in), "%q", tc.in)
		require.Equal(t, tc.clean, care.CleanText(tc.in), "%q", tc.in)
		require.True(t, care.TextOK(care.CleanText(tc.in)), "%q", tc.in)
	}
}

func TestCleanForm(t *testing.T) {
	t.Parallel()
	got := care.CleanForm(map[string][]string{"Body": {"xin\x00 ch\xe0o"}, "a\xffb": {"1"}, "From": {"+84912000001"}})
	require.Equal(t, map[string][]string{"Body": {"xin ch\uFFFDo"}, "a\uFFFDb": {"1"}, "From": {"+84912000001"}}, got)
	for k, vs := range got {
		require.True(t, care.TextOK(k))
		for _, v := range vs {
			require.True(t, care.TextOK(v))
		}
	}
}
