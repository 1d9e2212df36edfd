package flows

import (
	"context"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// Language switch: menu 4 offers the other language under its own name ("English" in the
// Vietnamese menu, said by the English voice; "Tiếng Việt" in the English one), and the SMS
// keywords VI and EN name theirs. The main menu follows in the new language.
const (
	stVietnamese = "vietnamese"
	stEnglish    = "english"
	evVietnamese = "vi"
	evEnglish    = "en"
)

func languageFlow() *flowSpec {
	set := func(l care.Language) func(context.Context, *step) error {
		return func(_ context.Context, s *step) error {
			s.lang = l
			if s.person() != nil {
				s.writes.PersonLanguage = l
			}
			s.notice = keyLanguageSet
			delete(s.vars, varKeys) // a caller who switched hears the voice keys in their language
			return nil
		}
	}
	return &flowSpec{
		name: flowLanguage,
		events: fsm.Events{
			{Name: evVietnamese, Src: []string{stateStart}, Dst: stVietnamese},
			{Name: evEnglish, Src: []string{stateStart}, Dst: stEnglish},
		},
		entry: func(s *step) string {
			if otherLanguage(s.lang) == care.English {
				return evEnglish
			}
			return evVietnamese
		},
		states: map[string]stateSpec{
			stVietnamese: {act: set(care.Vietnamese), next: handoff(flowMenu)},
			stEnglish:    {act: set(care.English), next: handoff(flowMenu)},
		},
	}
}

// otherLanguage is the language menu 4 switches to from l.
func otherLanguage(l care.Language) care.Language {
	if l == care.English {
		return care.Vietnamese
	}
	return care.English
}
