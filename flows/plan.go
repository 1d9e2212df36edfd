package flows

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// My plan: the case step, the next appointment, the plan's services and the case manager's
// name. Unregistered callers are told how to register; with a PIN set, the PIN comes first.
// A caller who heard it may not have caught it all: by voice it ends with "1 hear it again,
// 2 back to the start" instead of hanging up (a screen or an SMS can be read again).
const (
	stPIN          = "pin"
	stShow         = "show"
	stShowVoice    = "show_voice"
	stPlanToMenu   = "to_menu"
	stUnregistered = "unregistered"
	stLocked       = "locked"

	evBeginPIN     = "begin_pin"
	evBeginUnknown = "begin_unknown"
	evPINOK        = "pin_ok"
	evPINOKVoice   = "pin_ok_voice"
	evLock         = "lock"
	evHearAgain    = "hear_again"

	varPINTries = "pin_tries"
	// pinTries is how many wrong PINs end the conversation.
	pinTries = 3
)

func planFlow() *flowSpec {
	return &flowSpec{
		name: flowPlan,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stShow},
			{Name: evBeginVoice, Src: []string{stateStart}, Dst: stShowVoice},
			{Name: evBeginPIN, Src: []string{stateStart}, Dst: stPIN},
			{Name: evBeginUnknown, Src: []string{stateStart}, Dst: stUnregistered},
			{Name: evPINOK, Src: []string{stPIN}, Dst: stShow},
			{Name: evPINOKVoice, Src: []string{stPIN}, Dst: stShowVoice},
			{Name: evLock, Src: []string{stPIN}, Dst: stLocked},
			{Name: evHearAgain, Src: []string{stShowVoice}, Dst: stShowVoice},
			{Name: evMenu, Src: []string{stShowVoice}, Dst: stPlanToMenu},
		},
		entry: func(s *step) string {
			switch p := s.person(); {
			case p == nil:
				return evBeginUnknown
			case p.PINHash != "":
				return evBeginPIN
			case s.in.Channel == care.ChannelVoice:
				return evBeginVoice
			}
			return evBegin
		},
		states: map[string]stateSpec{
			stPIN: {prompt: func(s *step) Prompt {
				if s.in.Channel == care.ChannelVoice {
					return Prompt{Text: s.t(keyPlanPINVoice), Expect: ExpectDigits}
				}
				return Prompt{Text: s.t(keyPlanPIN), Expect: ExpectDigits}
			},
				input: func(_ context.Context, s *step, text string) (string, []any, error) {
					if p := s.person(); p != nil && care.CheckPIN(p.PINHash, text) {
						if s.in.Channel == care.ChannelVoice {
							return evPINOKVoice, nil, nil
						}
						return evPINOK, nil, nil
					}
					tries, _ := strconv.Atoi(s.vars[varPINTries])
					tries++
					if tries >= pinTries {
						return evLock, nil, nil
					}
					s.vars[varPINTries] = strconv.Itoa(tries)
					s.notice = keyPlanPINBad
					return "", nil, nil
				}},
			stShow: {channels: textChannels(), prompt: planPrompt, end: true, act: loadPlan},
			stShowVoice: {channels: voiceOnly(), act: loadPlan, noResume: true, prompt: func(s *step) Prompt {
				return Prompt{Text: planPrompt(s).Text, Expect: ExpectChoice, Options: s.options(keyOptHearAgain, keyOptMainMenu)}
			}, input: choose(evHearAgain, evMenu)},
			stPlanToMenu: {next: handoff(flowMenu)},
			stUnregistered: {prompt: func(s *step) Prompt {
				if s.in.Channel == care.ChannelSMS {
					return Prompt{Text: s.t(keyPlanUnregisteredSMS)}
				}
				return Prompt{Text: s.t(keyPlanUnregistered)}
			}, end: true},
			stLocked: {prompt: say(keyPlanLocked), end: true},
		},
	}
}

// loadPlan loads what the plan read-out says (for a person without an open case, whether
// one was closed).
func loadPlan(ctx context.Context, s *step) error {
	p := s.person()
	if p == nil {
		return nil
	}
	v, err := s.turn.Plan(ctx, p.ID, p.CaseID, s.now)
	if err != nil {
		return err
	}
	s.plan = &v
	return nil
}

// planPrompt reads the plan out. On SMS it drops services until the text fits one segment
// without diacritics.
func planPrompt(s *step) Prompt {
	p := s.person()
	switch {
	case p != nil && p.CaseID == 0 && s.plan != nil && s.plan.Closed:
		if s.in.Channel == care.ChannelSMS {
			return Prompt{Text: s.t(keyPlanClosed)}
		}
		return Prompt{Text: s.t(keyPlanClosedMenu)}
	case p == nil || p.CaseID == 0:
		return Prompt{Text: s.t(keyPlanNoCase)}
	}
	head := s.t(keyPlanStep, "n", strconv.Itoa(p.CaseStep.Number()), "step", s.t(stepKey(p.CaseStep)))
	next := s.t(keyPlanNoAppointment)
	var services []string
	if v := s.plan; v != nil {
		if v.NextAt != nil {
			next = s.t(keyPlanNext, "when", s.when(*v.NextAt), "place", clip(v.NextPlace, placeChars))
		}
		for _, sv := range v.Services {
			services = append(services, s.t(keyPlanService, "what", clip(sv.Description, 40), "status", s.t(serviceKey(sv.Status))))
		}
	}
	manager := s.t(keyPlanManager, "name", clip(p.ManagerName, 30))
	// compose lists the first n services and counts the rest; n = 0 only counts them, and
	// n < 0 leaves them out.
	compose := func(n int) string {
		parts := []string{head, next}
		switch {
		case n > 0:
			list := strings.Join(services[:n], "; ")
			if n < len(services) {
				list += " " + s.t(keyPlanMore, "n", strconv.Itoa(len(services)-n))
			}
			parts = append(parts, s.t(keyPlanServices, "list", list))
		case n == 0 && len(services) > 0:
			parts = append(parts, s.t(keyPlanServiceCount, "n", strconv.Itoa(len(services))))
		}
		return strings.Join(append(parts, manager), " ")
	}
	text := compose(len(services))
	if s.in.Channel == care.ChannelSMS {
		for n := len(services); n >= 0 && len(StripDiacritics(text)) > smsSegment; n-- {
			text = compose(n - 1)
		}
	}
	return Prompt{Text: text}
}

// smsSegment is one GSM-7 segment.
const smsSegment = 160

// placeChars is as much of a place's name as a prompt says: the rest of a reminder or a plan
// read-out must still fit one SMS.
const placeChars = 30

// when writes a time in the engine's time zone as people say it: "ngày 25/11 lúc 09:00",
// "on 25/11 at 09:00"; on a call "ngày 25 tháng 11 lúc 9 giờ 00", "on 25 November at 09:00",
// since text-to-speech reads "25/11" as a fraction or in the wrong date order.
func (s *step) when(t time.Time) string {
	t = t.In(s.e.loc)
	if s.in.Channel == care.ChannelVoice {
		if s.lang == care.English {
			return t.Format("on 2 January at 15:04")
		}
		return fmt.Sprintf("ngày %d tháng %d lúc %d giờ %02d", t.Day(), int(t.Month()), t.Hour(), t.Minute())
	}
	if s.lang == care.English {
		return t.Format("on 02/01 at 15:04")
	}
	return "ngày " + t.Format("02/01 lúc 15:04")
}
