package flows

import (
	"slices"
	"sort"

	"github.com/caseline/caseline/care"
)

// SMSInputStates lists, as flow and state, every state an SMS conversation can wait in.
func SMSInputStates() [][2]string { return InputStates(care.ChannelSMS) }

// InputStates lists, as flow and state, every state a conversation on ch can wait in.
func InputStates(ch care.Channel) [][2]string {
	var out [][2]string
	for name, spec := range NewEngine(Deps{}).flows {
		for state, st := range spec.states {
			if st.input != nil && (st.channels == nil || slices.Contains(st.channels, ch)) {
				out = append(out, [2]string{string(name), state})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0]+out[i][1] < out[j][0]+out[j][1] })
	return out
}
