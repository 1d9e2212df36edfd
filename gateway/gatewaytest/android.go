package gatewaytest

import (
	"context"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// AndroidAnswer is an Engine.Answer that does what the dialog engine does around a turn
// for the Android gateway, with pick choosing the reply: a repeated ProviderID gets its
// first reply with Duplicate set; a turn pick fails is not remembered (it rolled back); a
// reply that is not silent is written through s as a queued outbound SMS for the phone
// gateway, keyed by the inbound id. The Engine's lock guards what it remembers.
func AndroidAnswer(s *store.Store, pick func(flows.Input) (flows.Reply, error)) func(context.Context, flows.Input) (flows.Reply, error) {
	seen := map[string]flows.Reply{}
	return func(ctx context.Context, in flows.Input) (flows.Reply, error) {
		if r, ok := seen[in.ProviderID]; ok {
			r.Duplicate = true
			return r, nil
		}
		r, err := pick(in)
		if err != nil {
			return flows.Reply{}, err
		}
		if !r.Silent {
			err := storetest.LogMessage(ctx, s, &care.Message{Direction: care.Outbound, Channel: care.ChannelSMS,
				Provider: care.ProviderAndroid, Phone: in.Phone, Body: flows.SMSText(r.Prompt, r.Diacritics),
				Status: care.MsgQueued, IdempotencyKey: "reply:android:" + in.ProviderID})
			if err != nil {
				return flows.Reply{}, err
			}
		}
		seen[in.ProviderID] = r
		return r, nil
	}
}
