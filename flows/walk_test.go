package flows

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/looplab/fsm"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// noticesFor lists the notices a state can say before its prompt.
func noticesFor(e *Engine, flow flowName, state string, ch care.Channel) []string {
	out := []string{""}
	if e.flows[flow].states[state].input == nil {
		return out
	}
	if ch == care.ChannelVoice {
		out = append(out, keyNoInput)
	}
	switch flow + "/" + flowName(state) {
	case "register/phone":
		return append(out, keyRegPhoneBad, keyRegPhoneTaken)
	case "register/name":
		return append(out, keyRegNameBad)
	case "register/commune", "register/voice_commune", "help/commune":
		return append(out, keyRegCommuneBad)
	case "register/needs":
		return append(out, keyRegNeedsBad) // its input never refuses without saying why
	case "plan/pin":
		out = append(out, keyPlanPINBad)
	case "menu/menu":
		out = append(out, keyCancelled, keyLanguageSet)
	}
	return append(out, keyInvalid)
}

// worstStep is a step whose facts and vars make every dynamic prompt as long as it gets.
func worstStep(e *Engine, flow flowName, state string, ch care.Channel, lang care.Language, category care.HelpCategory) *step {
	at := time.Date(2026, 12, 31, 16, 59, 0, 0, time.UTC)
	long := strings.Repeat("Trường Dạy nghề Khuyết tật ", 4)
	s := &step{e: e, in: Input{Channel: ch, Phone: "+84912000001"}, now: at, lang: lang, flow: flow, state: state,
		vars: map[string]string{
			varRef: "1234567", varCategory: string(category), varInDanger: "1", varRegPhone: "+84987000002",
			varWhen: at.Format(time.RFC3339), varPlace: clip(long, placeChars), varEscalation: "1234567", varReminder: "7",
			varRoute: string(care.RouteRoster), varUrgent: "1", varMissed: "1", varDial: "+84901000001",
			varDialRoute: string(care.RouteRoster),
		},
		f: Facts{
			Person: &PersonFacts{ID: 1234567, Name: long, Commune: "27001", CaseID: 7, CaseStep: care.StepImplementation,
				ManagerName: long, ManagerPhone: "+84901000001", PINHash: "x"},
			CheckIn:  &CheckInFacts{ID: 1, AskedAt: at},
			Reminder: &ReminderFacts{ID: 7, At: at, Place: long},
		},
		plan: &PlanView{NextAt: &at, NextPlace: long},
	}
	for range 6 {
		s.plan.Services = append(s.plan.Services, ServiceView{Description: long, Status: care.ServiceInProgress})
	}
	return s
}

func TestEveryStateOfEveryFlow(t *testing.T) {
	t.Parallel()
	e := NewEngine(Deps{})
	for name, spec := range e.flows {
		for state, st := range spec.states {
			if st.prompt == nil {
				require.NotNil(t, st.next, "%s/%s says nothing and hands off nowhere", name, state)
				continue
			}
			for _, ch := range []care.Channel{care.ChannelSMS, care.ChannelUSSD, care.ChannelVoice} {
				if st.channels != nil && !slices.Contains(st.channels, ch) {
					continue
				}
				reserved := map[care.Channel][]string{
					care.ChannelUSSD:  {USSDMoreKey, USSDBackKey},
					care.ChannelVoice: {VoiceRepeatKey, VoicePersonKey, VoiceMoreKey, VoiceSlowerKey},
				}[ch]
				for _, cat := range []care.HelpCategory{care.HelpAbuse, care.HelpHealth} {
					texts := map[care.Language]string{}
					for _, lang := range []care.Language{care.Vietnamese, care.English} {
						for _, n := range noticesFor(e, name, state, ch) {
							s := worstStep(e, name, state, ch, lang, cat)
							s.notice = n
							p := s.render()
							if n != "" {
								p.Text = s.t(n) + " " + p.Text
							}
							where := string(name) + "/" + state + " " + string(ch) + " " + string(lang) + " " + n
							require.Empty(t, s.missing, "%s: prompts missing from the catalog", where)
							require.NotEmpty(t, p.Text, where)
							if n == "" {
								texts[lang] = layout(p)
							}
							for _, o := range p.Options {
								require.NotContains(t, reserved, o.Key, "%s: option key %s is reserved", where, o.Key)
							}
							switch ch {
							case care.ChannelSMS:
								plain := MeasureSMS(SMSText(p, false))
								require.Equal(t, GSM7, plain.Encoding, where)
								require.Equal(t, 1, plain.Segments, "%s: %q", where, SMSText(p, false))
								require.LessOrEqual(t, MeasureSMS(SMSText(p, true)).Segments, 3, where)
							case care.ChannelUSSD:
								for _, limit := range []int{DefaultScreenLimit, MaxScreenLimit} {
									pages := ussdPages(p, limit, s.t(keyMore), s.t(keyBack))
									for _, pg := range pages {
										screen := USSDText(pg)
										require.LessOrEqual(t, utf8.RuneCountInString(screen), limit, "%s: %q", where, screen)
									}
									require.Equal(t, p.End, pages[len(pages)-1].End, where)
									if len(p.Options) > 0 && limit == DefaultScreenLimit {
										// A menu split over screens hides choices behind "9": every
										// question fits one screen; only a read-out (the plan) pages.
										require.Len(t, pages, 1, "%s: %q", where, USSDText(p))
									}
								}
							case care.ChannelVoice:
								for _, pg := range voicePages(p, s.t(keyMore), s.t(keyMoreOptions)) {
									require.LessOrEqual(t, len(pg.Options), voiceMax, where)
								}
							}
						}
					}
					if len(texts) == 2 {
						require.NotEqual(t, texts[care.Vietnamese], texts[care.English], "%s/%s: no English text", name, state)
					}
				}
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
