package flows_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// TestTextPostgreSQLCannotStoreIsCleanedOnEveryChannel: a NUL character and invalid UTF-8 in
// what a phone sent are dropped and replaced before the turn stores it, on all four
// channels; a provider id that is not text is refused as bad input, never an internal error.
func TestTextPostgreSQLCannotStoreIsCleanedOnEveryChannel(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for i, in := range []flows.Input{
		{Channel: care.ChannelSMS, Provider: care.ProviderTwilio, Phone: phoneStranger},
		{Channel: care.ChannelSMS, Provider: care.ProviderAndroid, Phone: phoneHoa},
		{Channel: care.ChannelUSSD, Provider: care.ProviderAfricasTalking, Phone: phoneBinh, SessionKey: "ATUid_text"},
		{Channel: care.ChannelVoice, Provider: care.ProviderTwilio, Phone: phoneStranger, New: true},
	} {
		in.Text = "ME\x00NU\xff"
		in.ProviderID = "clean" + string(rune('a'+i))
		f.turn(in)
		require.Equal(t, 1, f.count(`SELECT count(*) FROM message WHERE direction = 'in' AND provider_id = $1 AND body = $2`,
			in.ProviderID, "MENU\uFFFD"), "%s/%s", in.Channel, in.Provider)
	}
	_, err := f.engine.Handle(context.Background(), flows.Input{Channel: care.ChannelSMS, Provider: care.ProviderAndroid,
		Phone: phoneHoa, ProviderID: "id\x00", Text: "MENU"})
	require.Equal(t, care.EINVALID, care.ErrorCode(err), "%v", err)
}
