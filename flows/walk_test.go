package flows

import (
	"context"
	"strings"
	"testing"

	"github.com/looplab/fsm"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// TestEveryStateOfEveryFlow walks every prompt: the rules on its words (CheckPrompts, which
// `caseline prompts check` applies to an override) hold for the shipped prompts, and the
// rules on the flows themselves hold for every rendering.
func TestEveryStateOfEveryFlow(t *testing.T) {
	t.Parallel()
	require.Empty(t, CheckPrompts(ShippedPrompts(), nil))
	e := NewEngine(Deps{})
	n := 0
	walkPrompts(e, []care.HelpCategory{care.HelpAbuse, care.HelpHealth}, func(r rendering) {
		n++
		where := r.where()
		require.Empty(t, r.s.missing, "%s: prompts missing from the catalog", where)
		require.NotEmpty(t, r.p.Text, where)
		reserved := map[care.Channel][]string{
			care.ChannelUSSD:  {USSDMoreKey, USSDBackKey},
			care.ChannelVoice: {VoiceRepeatKey, VoicePersonKey, VoiceMoreKey, VoiceSlowerKey},
		}[r.ch]
		for _, o := range r.p.Options {
			require.NotContains(t, reserved, o.Key, "%s: option key %s is reserved", where, o.Key)
		}
		switch r.ch {
		case care.ChannelUSSD:
			for _, limit := range []int{DefaultScreenLimit, MaxScreenLimit} {
				pages := ussdPages(r.p, limit, r.s.t(keyMore), r.s.t(keyBack))
				require.Equal(t, r.p.End, pages[len(pages)-1].End, where)
			}
		case care.ChannelVoice:
			for _, pg := range voicePages(r.p, r.s.t(keyMore), r.s.t(keyMoreOptions)) {
				require.LessOrEqual(t, len(pg.Options), VoiceMaxOptions, where)
			}
		}
	})
	require.Greater(t, n, 500, "the walk reached the prompts")
	for name, spec := range e.flows {
		for state, st := range spec.states {
			if st.prompt == nil {
				require.NotNil(t, st.next, "%s/%s says nothing and hands off nowhere", name, state)
			}
		}
	}
}

func TestEveryStateIsReachableAndHasAWayOut(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	for name, spec := range e.flows {
		out := map[string][]string{}
		for _, ev := range spec.events {
			for _, src := range ev.Src {
				out[src] = append(out[src], ev.Dst)
				require.True(t, src == stateStart || hasState(spec, src), "%s: event %s from unknown state %s", name, ev.Name, src)
			}
			require.True(t, hasState(spec, ev.Dst), "%s: event %s to unknown state %s", name, ev.Name, ev.Dst)
		}
		reach := walk(out, stateStart)
		for state, st := range spec.states {
			require.True(t, reach[state], "%s/%s is unreachable", name, state)
			done := st.end || st.next != nil
			require.True(t, done || st.input != nil, "%s/%s takes no input and goes nowhere", name, state)
			if done {
				continue
			}
			ok := false
			for to := range walk(out, state) {
				if t := spec.states[to]; t.end || t.next != nil {
					ok = true
				}
			}
			require.True(t, ok, "%s/%s has no way out", name, state)
		}
		require.NotEmpty(t, spec.dst(spec.entry(worstStep(e, name, "", care.ChannelSMS, care.Vietnamese, care.HelpOther))), "%s: entry", name)
	}
}

func hasState(f *flowSpec, st string) bool { _, ok := f.states[st]; return ok }

func walk(out map[string][]string, from string) map[string]bool {
	seen := map[string]bool{}
	todo := []string{from}
	for len(todo) > 0 {
		s := todo[0]
		todo = todo[1:]
		for _, to := range out[s] {
			if !seen[to] {
				seen[to] = true
				todo = append(todo, to)
			}
		}
	}
	return seen
}

func TestEveryCallbackKeyResolves(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	for name, spec := range e.flows {
		events, states := map[string]bool{}, map[string]bool{stateStart: true}
		for _, ev := range spec.events {
			events[ev.Name] = true
			states[ev.Dst] = true
			for _, s := range ev.Src {
				states[s] = true
			}
		}
		s := worstStep(e, name, stateStart, care.ChannelSMS, care.Vietnamese, care.HelpOther)
		for key := range spec.machineCallbacks(s) {
			kind, target, ok := strings.Cut(key, "_")
			require.True(t, ok, "%s: callback %q", name, key)
			switch kind {
			case "before", "after":
				require.True(t, target == "event" || events[target], "%s: callback %q names no event", name, key)
			case "enter", "leave":
				require.True(t, target == "state" || states[target], "%s: callback %q names no state", name, key)
			default:
				t.Fatalf("%s: callback %q has no known prefix", name, key)
			}
		}
	}
}

func TestCallbacksRunAndRefuse(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	s := worstStep(e, flowRegister, stName, care.ChannelSMS, care.Vietnamese, care.HelpOther)
	require.NoError(t, s.fire(context.Background(), e.flows[flowRegister], stName, evName, []any{"x"}))
	require.Equal(t, stName, s.state)
	require.Equal(t, keyRegNameBad, s.notice)
	s.notice = ""
	require.NoError(t, s.fire(context.Background(), e.flows[flowRegister], stName, evName, []any{"  Lê  Văn   A "}))
	require.Equal(t, stCommune, s.state)
	require.Equal(t, "Lê Văn A", s.vars[varRegName])
	m := fsm.NewFSM(stCategory, e.flows[flowHelp].events, e.flows[flowHelp].machineCallbacks(s))
	require.NoError(t, m.Event(context.Background(), evPick, vars(varCategory, "money")...))
	require.Equal(t, "money", s.vars[varCategory])
}

func TestCatalogHasBothLanguagesInNFC(t *testing.T) {
	t.Parallel()
	for _, lang := range PromptLanguages {
		// The loader normalises, but a shipped file out of NFC would diff badly after an edit.
		b, err := shippedFS.ReadFile("prompts/" + PromptFile(lang))
		require.NoError(t, err)
		require.Equal(t, NFC(string(b)), string(b), lang)
	}
	for key, v := range newCatalog() {
		require.NotEmpty(t, v[0], key)
		require.NotEmpty(t, v[1], key)
		require.Equal(t, NFC(v[0]), v[0], key)
		require.NotContains(t, v[1], "_", key)
	}
}
