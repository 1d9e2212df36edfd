package flows

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// Get help: a category, an optional short description (not by voice), "are you in danger
// now?"; then a help request and its escalation. No one is turned away: unregistered callers
// too. The confirmation of an abuse report is neutral and names no subject.
//
// An SMS thread stays on the phone, where the person reported may read it: by SMS the safety
// category wears a harmless label ("a private matter, in confidence"), asks for no
// description (the person's own words would stay in their sent messages), and "in danger?"
// is asked as "do you need help urgently?". A USSD screen or a voice prompt leaves nothing on
// the handset, and a label nobody recognises helps nobody, so there the category says what it
// is for ("treated badly, not safe") — still naming no violence and no person.
const (
	stCategory = "category"
	stDescribe = "describe"
	stDanger   = "danger"
	stFiled    = "filed"

	evPick = "pick"
	// evPickNoText goes straight to "in danger?": no description by voice (no keypad text),
	// nor for a safety matter by SMS.
	evPickNoText = "pick_no_text"
	evDescribe   = "describe"
	evDangerYes  = "danger_yes"
	evDangerNo   = "danger_no"

	varCategory    = "category"
	varDescription = "description"
	varInDanger    = "in_danger"
	varCheckIn     = "checkin"
	// maxDescription is what the help_request table keeps.
	maxDescription = 500
)

func helpFlow() *flowSpec {
	return &flowSpec{
		name: flowHelp,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stCategory},
			{Name: evPick, Src: []string{stCategory}, Dst: stDescribe},
			{Name: evPickNoText, Src: []string{stCategory}, Dst: stDanger},
			{Name: evDescribe, Src: []string{stDescribe}, Dst: stDanger},
			{Name: evDangerYes, Src: []string{stDanger}, Dst: stFiled},
			{Name: evDangerNo, Src: []string{stDanger}, Dst: stFiled},
		},
		entry: func(*step) string { return evBegin },
		callbacks: func(s *step) fsm.Callbacks {
			return fsm.Callbacks{
				beforeEvent(evDangerYes): func(context.Context, *fsm.Event) { s.vars[varInDanger] = "1" },
				beforeEvent(evDangerNo):  func(context.Context, *fsm.Event) { s.vars[varInDanger] = "" },
			}
		},
		states: map[string]stateSpec{
			stCategory: {prompt: func(s *step) Prompt {
				p := Prompt{Text: s.t(keyHelpCategory), Expect: ExpectChoice}
				for i, c := range care.HelpCategories {
					p.Options = append(p.Options, Option{Key: strconv.Itoa(i + 1), Label: s.t(s.categoryLabel(c))})
				}
				return p
			}, input: func(_ context.Context, s *step, text string) (string, []any, error) {
				n, err := strconv.Atoi(text)
				if err != nil || n < 1 || n > len(care.HelpCategories) {
					return "", nil, nil
				}
				c := care.HelpCategories[n-1]
				ev := evPick
				if s.in.Channel == care.ChannelVoice || (s.in.Channel == care.ChannelSMS && c.Sensitive()) {
					ev = evPickNoText
				}
				return ev, vars(varCategory, string(c)), nil
			}},
			stDescribe: {channels: textChannels(), prompt: func(s *step) Prompt {
				return Prompt{Text: s.t(keyHelpDescribe), Expect: ExpectText, Options: []Option{{Key: "1", Label: s.t(keyOptSkip)}}}
			}, input: func(_ context.Context, _ *step, text string) (string, []any, error) {
				if text == "1" {
					return evDescribe, vars(varDescription, ""), nil
				}
				d := NFC(strings.Join(strings.Fields(text), " "))
				for utf8.RuneCountInString(d) > maxDescription {
					d = string([]rune(d)[:maxDescription])
				}
				return evDescribe, vars(varDescription, d), nil
			}},
			stDanger: {prompt: func(s *step) Prompt {
				if s.in.Channel == care.ChannelSMS {
					return s.menu(keyHelpDangerSMS, keyOptYes, keyOptNo)
				}
				return s.menu(keyHelpDanger, keyOptYes, keyOptNo)
			}, input: choose(evDangerYes, evDangerNo)},
			stFiled: {prompt: helpFiledPrompt, act: fileHelp, end: true},
		},
	}
}

// categoryLabel is the catalog key of category c's label on the step's channel: by SMS the
// safety category's harmless one.
func (s *step) categoryLabel(c care.HelpCategory) string {
	if c.Sensitive() && s.in.Channel == care.ChannelSMS {
		return categorySMSKey(c)
	}
	return categoryKey(c)
}

func helpFiledPrompt(s *step) Prompt {
	ref := s.vars[varRef]
	switch {
	case care.HelpCategory(s.vars[varCategory]).Sensitive():
		return Prompt{Text: s.t(keyHelpNeutral, "ref", ref)}
	case s.vars[varInDanger] != "":
		return Prompt{Text: s.t(keyHelpUrgent, "ref", ref)}
	}
	return Prompt{Text: s.t(keyHelpFiled, "ref", ref)}
}

// fileHelp stores the request and its escalation (or joins the check-in's need_help one).
func fileHelp(ctx context.Context, s *step) error {
	h := HelpFiling{Phone: s.in.Phone, Category: care.HelpCategory(s.vars[varCategory]),
		Description: s.vars[varDescription], InDanger: s.vars[varInDanger] != "", Channel: s.in.Channel, Now: s.now}
	if !h.Category.Valid() {
		h.Category = care.HelpOther
	}
	if p := s.person(); p != nil {
		h.PersonID, h.CaseID, h.Commune = p.ID, p.CaseID, p.Commune
	}
	if id, err := strconv.ParseInt(s.vars[varCheckIn], 10, 64); err == nil {
		h.CheckIn = care.CheckInID(id)
	}
	h.NextLevelAt = s.nextLevel(h.InDanger || h.Category.Sensitive())
	got, err := s.turn.RequestHelp(ctx, h)
	if err != nil {
		return err
	}
	s.vars[varRef] = strconv.FormatInt(int64(got.HelpRequestID), 10)
	return nil
}
