package flows

import (
	"context"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// Language switch: menu 4, or the SMS keywords VI and EN straight to their state.
const (
	stChoose       = "choose"
	stVietnamese   = "vietnamese"
	stEnglish      = "english"
	evVietnamese   = "vi"
	evEnglish      = "en"
	varNewLanguage = "lang"
)

func languageFlow() *flowSpec {
	set := func(l care.Language) func(context.Context, *step) error {
		return func(_ context.Context, s *step) error {
			s.lang = l
			if s.person() != nil {
				s.writes.PersonLanguage = l
			}
			return nil
		}
	}
	return &flowSpec{
		name: flowLanguage,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stChoose},
			{Name: evVietnamese, Src: []string{stateStart, stChoose}, Dst: stVietnamese},
			{Name: evEnglish, Src: []string{stateStart, stChoose}, Dst: stEnglish},
		},
		entry: func(*step) string { return evBegin },
		states: map[string]stateSpec{
			stChoose:     {prompt: ask(keyLanguage, keyOptVietnamese, keyOptEnglish), input: choose(evVietnamese, evEnglish)},
			stVietnamese: {prompt: say(keyLanguageSet), act: set(care.Vietnamese), end: true},
			stEnglish:    {prompt: say(keyLanguageSet), act: set(care.English), end: true},
		},
	}
}
