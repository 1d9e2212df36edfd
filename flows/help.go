package flows

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Get help: a category, an optional short description (not by voice), the commune of an
// unregistered caller (or skip), "are you in danger now?"; then a help request and its
// escalation. No one is turned away: unregistered callers too, whose request goes to the
// commune they name, or else to the on-call roster. The confirmation says truthfully who will
// get in touch (the store decides the route in the same transaction as the filing), and
// "right away" only when the urgent ladder runs. The confirmation of an abuse report is
// neutral and names no subject.
//
// An SMS thread stays on the phone, where the person reported may read it: by SMS the safety
// category wears a harmless label ("a private matter, in confidence"), asks for no
// description (the person's own words would stay in their sent messages), and "in danger?"
// is asked as "do you need help urgently?". A USSD screen or a voice prompt leaves nothing on
// the handset, and a label nobody recognises helps nobody, so there the category says what it
// is for ("treated badly, not safe") — still naming no violence and no person.
const (
	stCategory    = "category"
	stDescribe    = "describe"
	stHelpCommune = "commune"
	stDanger      = "danger"
	stFiled       = "filed"

	evPick      = "pick"
	evToCommune = "to_commune"
	evToDanger  = "to_danger"
	evDangerYes = "danger_yes"
	evDangerNo  = "danger_no"

	varCategory    = "category"
	varDescription = "description"
	varHelpCommune = "help_commune"
	varInDanger    = "in_danger"
	varCheckIn     = "checkin"
	varRoute       = "route"
	varUrgent      = "urgent"
	// maxDescription is what the help_request table keeps.
	maxDescription = 500
	// skipKey skips an optional answer (the description, the commune).
	skipKey = "1"
)

func helpFlow() *flowSpec {
	return &flowSpec{
		name: flowHelp,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stCategory},
			{Name: evPick, Src: []string{stCategory}, Dst: stDescribe},
			{Name: evToCommune, Src: []string{stCategory, stDescribe}, Dst: stHelpCommune},
			{Name: evToDanger, Src: []string{stCategory, stDescribe, stHelpCommune}, Dst: stDanger},
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
					// No description by voice (no keypad text), nor for a safety matter by SMS.
					ev = s.afterDescription()
				}
				return ev, vars(varCategory, string(c)), nil
			}},
			stDescribe: {channels: textChannels(), prompt: func(s *step) Prompt {
				return Prompt{Text: s.t(keyHelpDescribe), Expect: ExpectText, Options: []Option{{Key: skipKey, Label: s.t(keyOptSkip)}}}
			}, input: func(_ context.Context, s *step, text string) (string, []any, error) {
				if text == skipKey {
					return s.afterDescription(), vars(varDescription, ""), nil
				}
				d := NFC(strings.Join(strings.Fields(text), " "))
				for utf8.RuneCountInString(d) > maxDescription {
					d = string([]rune(d)[:maxDescription])
				}
				return s.afterDescription(), vars(varDescription, d), nil
			}},
			stHelpCommune: {prompt: func(s *step) Prompt {
				p := Prompt{Text: s.t(keyHelpCommune), Expect: ExpectText}
				if s.in.Channel == care.ChannelVoice {
					p = Prompt{Text: s.t(keyHelpCommuneVoice), Expect: ExpectDigits}
				}
				p.Options = []Option{{Key: skipKey, Label: s.t(keyOptSkip)}}
				return p
			}, input: func(ctx context.Context, s *step, text string) (string, []any, error) {
				if strings.TrimSpace(text) == skipKey {
					return evToDanger, vars(varHelpCommune, ""), nil
				}
				return communeInput(evToDanger, varHelpCommune)(ctx, s, text)
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

// afterDescription is where the help flow goes once the category (and description) is in:
// the commune question for a caller who is not registered, else "are you in danger?".
func (s *step) afterDescription() string {
	if s.person() == nil {
		return evToCommune
	}
	return evToDanger
}

// helpPending reports whether the session holds a help request begun (its category chosen)
// and not filed, which the workers report if it is dropped: in the help flow, or interrupted
// from it by a resume offer or the offer of a person. Not while a person is being dialled:
// the caller is reaching a human, and an unanswered dial files a call-back request itself.
func (s *step) helpPending() bool { return helpPending(s.flow, s.state, s.vars) }

func helpPending(flow flowName, state string, vars map[string]string) bool {
	if vars[varCategory] == "" || (flow == flowPerson && state == stConnecting) {
		return false
	}
	return flow == flowHelp || flowName(vars[varRFlow]) == flowHelp
}

// PendingHelp reads the help request a dialog session holds begun and not filed (what
// dialog.Outcome.HelpPending marks): its category, description, "in danger" answer and the commune
// an unregistered caller named, as a request of the session's phone and channel. False when
// the session holds none.
func PendingHelp(d care.DialogSession) (care.HelpRequest, bool) {
	if !helpPending(flowName(d.Flow), d.State, d.Vars) {
		return care.HelpRequest{}, false
	}
	h := care.HelpRequest{Phone: d.Phone, Channel: d.Channel, Category: care.HelpCategory(d.Vars[varCategory]),
		Description: d.Vars[varDescription], InDanger: d.Vars[varInDanger] != "",
		Commune: care.CommuneCode(d.Vars[varHelpCommune])}
	if !h.Category.Valid() {
		h.Category = care.HelpOther
	}
	return h, true
}

func helpFiledPrompt(s *step) Prompt {
	// One neutral sentence for every category: it names no subject.
	parts := []string{s.t(keyHelpNeutral, "ref", s.vars[varRef]), s.whoWillAnswer(care.HelpCategory(s.vars[varCategory]))}
	if s.vars[varInDanger] != "" && s.routed() {
		parts = append(parts, s.emergency()) // unrouted, whoWillAnswer gave them already
	}
	return Prompt{Text: strings.Join(parts, " ")}
}

// whoWillAnswer tells the caller the truth about a request just filed (varRoute, varUrgent):
// the commune's social worker or the support line (the on-call roster) will get in touch,
// "right away" only when the urgent ladder runs; when nobody can be told, nobody is promised
// and the emergency numbers are given instead.
func (s *step) whoWillAnswer(c care.HelpCategory) string {
	var who string
	switch care.EscalationRoute(s.vars[varRoute]) {
	case care.RouteCommune:
		who = s.t(keyWhoCommune)
	case care.RouteRoster:
		who = s.t(keyWhoSupport)
	default:
		// Nobody can be told: no promise, and a route that works now.
		return s.t(keyHelpNobody) + " " + s.emergency()
	}
	key := keyHelpContact
	switch {
	case c == care.HelpCallback && s.vars[varUrgent] != "":
		key = keyHelpCallBackNow
	case c == care.HelpCallback:
		key = keyHelpCallBack
	case s.vars[varUrgent] != "":
		key = keyHelpContactNow
	}
	return s.t(key, "who", who)
}

// routed reports whether the request just filed went up someone's ladder.
func (s *step) routed() bool { return care.EscalationRoute(s.vars[varRoute]) != care.RouteNobody }

// emergency names the emergency numbers to call now. By SMS the numbers go bare: "111 (child
// protection)" would stay on the handset and say what the request was about.
func (s *step) emergency() string {
	names := make([]string, len(s.e.sos))
	for i, n := range s.e.sos {
		names[i] = n
		if _, ok := s.e.cat[emergencyKey(n)]; ok && s.in.Channel != care.ChannelSMS {
			names[i] = s.t(emergencyKey(n), "n", n)
		}
	}
	list := names[len(names)-1]
	if len(names) > 1 {
		list = strings.Join(names[:len(names)-1], ", ") + " " + s.t(keyOr) + " " + list
	}
	return s.t(keyHelpEmergency, "numbers", list)
}

// fileHelp stores the request and its escalation (or joins the check-in's need_help one),
// and keeps what the confirmation says: its reference, whose ladder it goes up, and whether
// the urgent ladder runs.
func fileHelp(ctx context.Context, s *step) error {
	h := dialog.HelpFiling{Phone: s.in.Phone, Category: care.HelpCategory(s.vars[varCategory]),
		Description: s.vars[varDescription], InDanger: s.vars[varInDanger] != "", Channel: s.in.Channel, Now: s.now}
	if !h.Category.Valid() {
		h.Category = care.HelpOther
	}
	if id, err := strconv.ParseInt(s.vars[varCheckIn], 10, 64); err == nil {
		h.CheckIn = care.CheckInID(id)
	}
	return s.requestHelp(ctx, h)
}

// requestHelp files h for the caller (their person, case and commune; an unregistered
// caller's named commune) with the SLA its urgency asks for, and keeps what the
// confirmation says in the session vars.
func (s *step) requestHelp(ctx context.Context, h dialog.HelpFiling) error {
	if h.PersonID == 0 { // the caller's own request; a caregiver's names the person
		h.PersonID, h.CaseID, h.Commune = s.callerPlace()
		if p := s.person(); p != nil {
			h.Priority = s.priority(p.Sex, p.BirthYear)
		}
	}
	h.NextLevelAt = s.nextLevel(h.Priority.Urgent(h.Category, h.InDanger))
	got, err := s.turn.RequestHelp(ctx, h)
	if err != nil {
		return err
	}
	s.vars[varRef] = strconv.FormatInt(int64(got.HelpRequestID), 10)
	s.vars[varRoute] = string(got.Route)
	s.vars[varUrgent] = ""
	if got.Urgent && got.Route != care.RouteNobody {
		s.vars[varUrgent] = "1"
	}
	return nil
}

// priority is the priority of someone of sex born in birthYear, by the clock in the
// engine's time zone.
func (s *step) priority(sex care.Sex, birthYear int) care.Priority {
	return care.PriorityOf(sex, birthYear, s.now.In(s.e.loc))
}

// callerPlace is who the caller is and where: their person, case and commune, or, when not
// registered, the commune they named in this conversation ("" when none).
func (s *step) callerPlace() (care.PersonID, care.CaseID, care.CommuneCode) {
	if p := s.person(); p != nil {
		return p.ID, p.CaseID, p.Commune
	}
	return 0, 0, care.CommuneCode(s.vars[varHelpCommune])
}

// MaxEmergencyNumbers is how many emergency numbers a confirmation names at most.
const MaxEmergencyNumbers = 3

// CheckEmergencyNumbers checks a list of emergency numbers (EMERGENCY_NUMBERS): one to
// MaxEmergencyNumbers numbers of 2 to 6 digits, none twice, short enough that the "in
// danger" confirmation still fits one SMS in both languages, whoever will get in touch.
func CheckEmergencyNumbers(numbers []string) error {
	if len(numbers) == 0 || len(numbers) > MaxEmergencyNumbers {
		return care.FieldError("numbers", "give 1 to %d emergency numbers", MaxEmergencyNumbers)
	}
	seen := map[string]bool{}
	for _, n := range numbers {
		if len(n) < 2 || len(n) > 6 || strings.Trim(n, "0123456789") != "" {
			return care.FieldError("numbers", "%q is not a short emergency number (2 to 6 digits)", n)
		}
		if seen[n] {
			return care.FieldError("numbers", "%s is listed twice", n)
		}
		seen[n] = true
	}
	e := NewEngine(Deps{EmergencyNumbers: numbers})
	for _, lang := range []care.Language{care.Vietnamese, care.English} {
		for _, route := range []care.EscalationRoute{care.RouteCommune, care.RouteRoster, care.RouteNobody} {
			for _, c := range care.HelpCategories {
				s := &step{e: e, lang: lang, in: Input{Channel: care.ChannelSMS}, vars: map[string]string{
					varRef: "1234567", varCategory: string(c), varInDanger: "1", varRoute: string(route), varUrgent: "1"}}
				text := SMSText(helpFiledPrompt(s), false)
				if m := MeasureSMS(text); m.Encoding != GSM7 || m.Segments > 1 {
					return care.FieldError("numbers", "too many or too long for one SMS: %q", text)
				}
			}
		}
	}
	return nil
}
