package flows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestSmoke(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := f.sms(phoneStranger, "hello")
	t.Log(smsText(r))
	r = f.sms(phoneStranger, "3")
	t.Log(smsText(r))
	require.Equal(t, "help/category", f.session(care.ChannelSMS, string(phoneStranger)))
}
