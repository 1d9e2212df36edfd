package flows

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
)

// My plan: the case step, the next appointment, the plan's services and the case manager's
// name. Unregistered callers are told how to register; with a PIN set, the PIN comes first.
const (
	stPIN          = "pin"
	stShow         = "show"
	stUnregistered = "unregistered"
	stLocked       = "locked"

	evBeginPIN     = "begin_pin"
	evBeginUnknown = "begin_unknown"
	evPINOK        = "pin_ok"
	evLock         = "lock"

	varPINTries = "pin_tries"
	// pinTries is how many wrong PINs end the conversation.
	pinTries = 3
)

func planFlow() *flowSpec {
	return &flowSpec{
		name: flowPlan,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stShow},
			{Name: evBeginPIN, Src: []string{stateStart}, Dst: stPIN},
			{Name: evBeginUnknown, Src: []string{stateStart}, Dst: stUnregistered},
			{Name: evPINOK, Src: []string{stPIN}, Dst: stShow},
			{Name: evLock, Src: []string{stPIN}, Dst: stLocked},
		},
		entry: func(s *step) string {
			switch p := s.person(); {
			case p == nil:
				return evBeginUnknown
			case p.PINHash != "":
				return evBeginPIN
			}
			return evBegin
		},
		states: map[string]stateSpec{
			stPIN: {prompt: func(s *step) Prompt { return Prompt{Text: s.t(keyPlanPIN), Expect: ExpectDigits} },
				input: func(_ context.Context, s *step, text string) (string, []any, error) {
					if p := s.person(); p != nil && care.CheckPIN(p.PINHash, text) {
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
			stShow: {prompt: planPrompt, end: true, act: func(ctx context.Context, s *step) error {
				p := s.person()
				if p == nil || p.CaseID == 0 {
					return nil
				}
				v, err := s.turn.Plan(ctx, p.ID, p.CaseID, s.now)
				if err != nil {
					return err
				}
				s.plan = &v
				return nil
			}},
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

// planPrompt reads the plan out. On SMS it drops services until the text fits one segment
// without diacritics.
func planPrompt(s *step) Prompt {
	p := s.person()
	if p == nil || p.CaseID == 0 {
		return Prompt{Text: s.t(keyPlanNoCase)}
	}
	head := s.t(keyPlanStep, "n", strconv.Itoa(p.CaseStep.Number()), "step", s.t(stepKey(p.CaseStep)))
	next := s.t(keyPlanNoAppointment)
	var services []string
	if v := s.plan; v != nil {
		if v.NextAt != nil {
			next = s.t(keyPlanNext, "when", s.when(*v.NextAt), "place", clip(v.NextPlace, 40))
		}
		for _, sv := range v.Services {
			services = append(services, s.t(keyPlanService, "what", clip(sv.Description, 40), "status", s.t(serviceKey(sv.Status))))
		}
	}
	manager := s.t(keyPlanManager, "name", clip(p.ManagerName, 30))
	compose := func(n int) string {
		parts := []string{head, next}
		if n > 0 {
			list := strings.Join(services[:n], "; ")
			if n < len(services) {
				list += " +" + strconv.Itoa(len(services)-n)
			}
			parts = append(parts, s.t(keyPlanServices, "list", list))
		}
		return strings.Join(append(parts, manager), " ")
	}
	text := compose(len(services))
	if s.in.Channel == care.ChannelSMS {
		for n := len(services); n > 0 && len(StripDiacritics(text)) > smsSegment; n-- {
			text = compose(n - 1)
		}
	}
	return Prompt{Text: text}
}

// smsSegment is one GSM-7 segment.
const smsSegment = 160

// when writes a time in the engine's time zone: "25/11 09:00".
func (s *step) when(t time.Time) string { return t.In(s.e.loc).Format("02/01 15:04") }
