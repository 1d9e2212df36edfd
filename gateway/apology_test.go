package gateway_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
)

// The one apology fits one GSM-7 segment by SMS and one screen by USSD, and says nothing a
// shared phone should not show.
func TestApologyFitsEveryTextChannel(t *testing.T) {
	t.Parallel()
	sms := gateway.ApologyText(" ")
	m := flows.MeasureSMS(sms)
	require.Equal(t, flows.GSM7, m.Encoding, sms)
	require.Equal(t, 1, m.Segments, sms)
	require.Empty(t, flows.Indiscreet(sms))
	require.LessOrEqual(t, utf8.RuneCountInString("END "+gateway.ApologyText("\n")), flows.DefaultScreenLimit)
}
