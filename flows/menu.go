package flows

import (
	"context"

	"github.com/looplab/fsm"
)

// Main menu: 1 register, 2 my plan, 3 get help, 4 the other language, and 5 to answer a
// check-in or a reminder while one waits.
const (
	stMenu       = "menu"
	stToRegister = "to_register"
	stToPlan     = "to_plan"
	stToHelp     = "to_help"
	stToLanguage = "to_language"
	stToAnswer   = "to_answer"

	evRegister = "register"
	evPlan     = "plan"
	evHelp     = "help"
	evLanguage = "language"
	evAnswer   = "answer"
)

func menuFlow() *flowSpec {
	return &flowSpec{
		name: flowMenu,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stMenu},
			{Name: evRegister, Src: []string{stMenu}, Dst: stToRegister},
			{Name: evPlan, Src: []string{stMenu}, Dst: stToPlan},
			{Name: evHelp, Src: []string{stMenu}, Dst: stToHelp},
			{Name: evLanguage, Src: []string{stMenu}, Dst: stToLanguage},
			{Name: evAnswer, Src: []string{stMenu}, Dst: stToAnswer},
		},
		entry: func(*step) string { return evBegin },
		states: map[string]stateSpec{
			stMenu:       {prompt: menuPrompt, input: menuInput, noResume: true},
			stToRegister: {next: handoff(flowRegister)},
			stToPlan:     {next: handoff(flowPlan)},
			stToHelp:     {next: handoff(flowHelp)},
			stToLanguage: {next: handoff(flowLanguage)},
			stToAnswer: {next: func(s *step) flowName {
				if f := s.pendingAnswer(); f != "" {
					return f
				}
				return flowMenu
			}},
		},
	}
}

func menuPrompt(s *step) Prompt {
	p := s.menu(keyMenu, keyOptRegister, keyOptPlan, keyOptHelp)
	// The other language, named in itself: whoever cannot read this menu can read that.
	other := otherLanguage(s.lang)
	s.used = append(s.used, keyLanguageName)
	p.Options = append(p.Options, Option{Key: "4", Label: s.e.cat.text(other, keyLanguageName), Language: other})
	switch s.pendingAnswer() {
	case flowCheckIn:
		p.Options = append(p.Options, Option{Key: "5", Label: s.t(keyOptCheckIn)})
	case flowReminder:
		p.Options = append(p.Options, Option{Key: "5", Label: s.t(keyOptReminder)})
	}
	return p
}

func menuInput(_ context.Context, s *step, text string) (string, []any, error) {
	events := []string{evRegister, evPlan, evHelp, evLanguage}
	if s.pendingAnswer() != "" {
		events = append(events, evAnswer)
	}
	return choice(text, events...), nil, nil
}
