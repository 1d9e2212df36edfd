package flows

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// PromptProblem is one prompt breaking one rule of CheckPrompts.
type PromptProblem struct {
	// Prompts are the ids of the prompts at fault: the one id of a rule on a text, or every
	// id a rendered message is made of (in order) when the message breaks a channel's limit.
	Prompts []string
	// Where says where it was found: a language file and line, or the state, channel and
	// language of a rendered message.
	Where string
	// Rule is the rule broken, with what was found.
	Rule string
}

// String is the problem on one line: "reg_done (register/registered sms vi): an SMS must …".
func (p PromptProblem) String() string {
	return strings.Join(p.Prompts, ", ") + " (" + p.Where + "): " + p.Rule
}

// CheckPrompts applies every rule prompts must meet to p, with emergency as EMERGENCY_NUMBERS
// (nil for the default), and returns each broken rule, or nothing:
//   - the files: every prompt id of the shipped set is in every language's file, no id that
//     the code does not know is there, no text is empty, each text has exactly the
//     {placeholders} the code fills (the same in every language), and no text with words
//     reads the same in Vietnamese as in English (one is not translated);
//   - every state of every flow, rendered as long as it gets (longest names, places, six
//     services) on each channel it speaks on, with every notice it can carry, every help
//     category and every route a help request takes: an SMS fits one GSM-7 segment once
//     diacritics are stripped (three UCS-2 segments with them) and names nothing that would
//     reveal a report to another reader of the phone (Indiscreet); each USSD screen holds 160
//     characters (and 182 where the aggregator allows it) and a question fits one screen;
//     what a call says has no "4/5" (text-to-speech reads a fraction, or a date the wrong way
//     round) and, in Vietnamese, no English word the Vietnamese voice would misread
//     (voiceForeignWords).
//
// The state walk's tests apply it to the shipped prompts; `caseline prompts check` and the
// start of serve, work and dev apply it to a PROMPTS_DIR override.
func CheckPrompts(p *Prompts, emergency []string) []PromptProblem {
	out := checkPromptFiles(p)
	if len(out) > 0 {
		return out // a missing or renamed text would fail the walk everywhere: say it once
	}
	e := NewEngine(Deps{Prompts: p, EmergencyNumbers: emergency})
	seen := map[string]bool{}
	add := func(pr PromptProblem) {
		if k := pr.String(); !seen[k] {
			seen[k] = true
			out = append(out, pr)
		}
	}
	walkPrompts(e, care.HelpCategories, func(r rendering) {
		ids := r.ids()
		problem := func(format string, args ...any) {
			add(PromptProblem{Prompts: ids, Where: r.where(), Rule: fmt.Sprintf(format, args...)})
		}
		switch r.ch {
		case care.ChannelSMS:
			plain := SMSText(r.p, false)
			if m := MeasureSMS(plain); m.Encoding != GSM7 || m.Segments != 1 {
				problem("an SMS must fit one GSM-7 segment without diacritics (160 characters): it takes %d %s segments: %q",
					m.Segments, m.Encoding, plain)
			}
			if m := MeasureSMS(SMSText(r.p, true)); m.Segments > 3 {
				problem("an SMS with diacritics must fit three segments: it takes %d", m.Segments)
			}
			for _, diacritics := range []bool{false, true} {
				if w := Indiscreet(SMSText(r.p, diacritics)); w != "" {
					problem("an SMS stays on the phone and must not say %q: another reader would learn of a report", w)
				}
			}
		case care.ChannelUSSD:
			for _, limit := range []int{DefaultScreenLimit, MaxScreenLimit} {
				pages := ussdPages(r.p, limit, r.s.t(keyMore), r.s.t(keyBack))
				for _, pg := range pages {
					if n := utf8.RuneCountInString(USSDText(pg)); n > limit {
						problem("a USSD screen holds %d characters: this one has %d", limit, n)
					}
				}
				if len(r.p.Options) > 0 && limit == DefaultScreenLimit && len(pages) > 1 {
					// A menu split over screens hides choices behind "9": every question fits
					// one screen; only a read-out (the plan) pages.
					problem("a USSD question must fit one screen of %d characters: it takes %d", limit, len(pages))
				}
			}
		case care.ChannelVoice:
			said := []string{r.p.Text}
			for _, o := range append(r.s.voiceKeys(), r.p.Options...) {
				if o.Language == "" || o.Language == r.lang {
					said = append(said, o.Label)
				}
			}
			for _, text := range said {
				if m := fractionRE.FindString(text); m != "" {
					problem("said by text-to-speech, %q reads as a fraction or a date in the wrong order: write it out", m)
				}
				if r.lang == care.Vietnamese {
					if w := foreignWord(text); w != "" {
						problem("the Vietnamese voice misreads the English word %q: say it in Vietnamese", w)
					}
				}
			}
		}
	})
	return out
}

// checkPromptFiles applies the rules on the files themselves, against the shipped set.
func checkPromptFiles(p *Prompts) []PromptProblem {
	ref := ShippedPrompts()
	var out []PromptProblem
	for _, lang := range PromptLanguages {
		file := PromptFile(lang)
		at := func(id string) string { return fmt.Sprintf("%s line %d", file, p.line[lang][id]) }
		for _, id := range ref.order {
			text, ok := p.text[lang][id]
			switch {
			case !ok:
				out = append(out, PromptProblem{Prompts: []string{id}, Where: file, Rule: "missing: every prompt needs a text in every language"})
			case strings.TrimSpace(text) == "":
				out = append(out, PromptProblem{Prompts: []string{id}, Where: at(id), Rule: "empty"})
			default:
				want := placeholders(ref.text[care.Vietnamese][id])
				if got := placeholders(text); !slices.Equal(got, want) {
					out = append(out, PromptProblem{Prompts: []string{id}, Where: at(id), Rule: fmt.Sprintf(
						"has placeholders %s where the code fills %s (keep each {name} as it is)", showSet(got), showSet(want))})
				}
			}
		}
		if lang != care.Vietnamese {
			for _, id := range ref.order {
				text := p.text[lang][id]
				if text != "" && text == p.text[care.Vietnamese][id] && placeholderRE.ReplaceAllString(text, "") != "" &&
					strings.ContainsFunc(placeholderRE.ReplaceAllString(text, ""), unicode.IsLetter) {
					out = append(out, PromptProblem{Prompts: []string{id}, Where: at(id),
						Rule: "reads the same as in " + PromptFile(care.Vietnamese) + ": one is not translated"})
				}
			}
		}
		for _, id := range p.order {
			if _, known := ref.text[care.Vietnamese][id]; !known {
				if _, ok := p.text[lang][id]; ok {
					out = append(out, PromptProblem{Prompts: []string{id}, Where: at(id), Rule: "unknown prompt id: no flow says it (a typo?)"})
				}
			}
		}
	}
	return out
}

// fractionRE matches "4/5", "25/11": a fraction or a date to text-to-speech.
var fractionRE = regexp.MustCompile(`[0-9]+\s*/\s*[0-9]+`)

// voiceForeignWords are English words and brand names the Vietnamese voice reads as nonsense,
// compared without case and diacritics: they have no place in a Vietnamese call.
var voiceForeignWords = []string{"caseline", "sms", "ussd", "pin", "ok", "menu", "email", "online", "hotline",
	"zalo", "facebook", "android", "twilio", "app", "english", "help", "stop", "start"}

// foreignWord returns the first word of voiceForeignWords in text, or "".
func foreignWord(text string) string {
	for _, w := range discreetWords(text) {
		if slices.Contains(voiceForeignWords, w) {
			return w
		}
	}
	return ""
}

// placeholderRE matches a {name} placeholder.
var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// placeholders lists the distinct placeholders of text, sorted.
func placeholders(text string) []string {
	set := map[string]bool{}
	for _, m := range placeholderRE.FindAllString(text, -1) {
		set[m] = true
	}
	return slices.Sorted(maps.Keys(set))
}

func showSet(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}

// rendering is one prompt of the walk: a state's prompt on one channel, in one language,
// with one notice before it and one help category chosen.
type rendering struct {
	flow   flowName
	state  string
	ch     care.Channel
	lang   care.Language
	notice string
	cat    care.HelpCategory
	// variant names who the help request went to, where the flow says it (routeVariants).
	variant string
	s       *step
	p       Prompt // the notice, if any, is said before the text
}

func (r rendering) where() string {
	w := string(r.flow) + "/" + r.state + " " + string(r.ch) + " " + string(r.lang)
	if r.notice != "" {
		w += " after " + r.notice
	}
	if r.flow == flowHelp {
		w += " category " + string(r.cat)
	}
	if r.variant != "" {
		w += " " + r.variant
	}
	return w
}

// routeVariant is who a help request or a call went to, as a flow's vars say it.
type routeVariant struct {
	name string
	vars map[string]string
}

// routeVariants are the ways the help and person flows tell who will answer (help.go's
// whoWillAnswer, person.go's dial): each is said in its own words, so each is walked. Other
// flows do not read them: the one worst case.
func routeVariants(flow flowName) []routeVariant {
	if flow != flowHelp && flow != flowPerson {
		return []routeVariant{{}}
	}
	var out []routeVariant
	for _, route := range []care.EscalationRoute{care.RouteRoster, care.RouteCommune, care.RouteNobody} {
		for _, urgent := range []string{"1", ""} {
			name := "to " + string(route)
			if urgent == "" {
				name += ", not urgent"
			}
			out = append(out, routeVariant{name: name, vars: map[string]string{
				varRoute: string(route), varUrgent: urgent, varDialRoute: string(route)}})
		}
	}
	return out
}

// ids are the prompt ids the rendering is made of, each once, in the order looked up.
func (r rendering) ids() []string {
	var out []string
	for _, k := range r.s.used {
		if !slices.Contains(out, k) && k != keyMore && k != keyBack && k != keyMoreOptions {
			out = append(out, k)
		}
	}
	return out
}

// walkPrompts renders every state of every flow that says something, in a fixed order (flow,
// state, channel, language, notice, category), on each channel it speaks on, as long as it
// gets (worstStep), and hands each rendering to fn.
func walkPrompts(e *Engine, cats []care.HelpCategory, fn func(rendering)) {
	for _, name := range slices.Sorted(maps.Keys(e.flows)) {
		spec := e.flows[name]
		for _, state := range slices.Sorted(maps.Keys(spec.states)) {
			st := spec.states[state]
			if st.prompt == nil {
				continue
			}
			for _, ch := range []care.Channel{care.ChannelSMS, care.ChannelUSSD, care.ChannelVoice} {
				if st.channels != nil && !slices.Contains(st.channels, ch) {
					continue
				}
				for _, lang := range PromptLanguages {
					for _, n := range noticesFor(e, name, state, ch) {
						for _, cat := range cats {
							for _, v := range routeVariants(name) {
								s := worstStep(e, name, state, ch, lang, cat)
								maps.Copy(s.vars, v.vars)
								s.notice = n
								said := ""
								if n != "" {
									said = noticeText(s, n) + " "
								}
								p := s.render()
								p.Text = said + p.Text
								fn(rendering{flow: name, state: state, ch: ch, lang: lang, notice: n, cat: cat, variant: v.name, s: s, p: p})
							}
						}
					}
				}
			}
		}
	}
}

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

// noticeText is notice n as the engine says it, its placeholders filled as long as they get.
func noticeText(s *step, n string) string {
	if n == keyPlanPINBad {
		return s.t(n, "left", "4")
	}
	return s.t(n)
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
			varDialRoute: string(care.RouteRoster), varLockedUntil: "23:59", varCaredName: long,
		},
		f: dialog.Facts{
			Person: &dialog.PersonFacts{ID: 1234567, Name: long, Commune: "27001", CaseID: 7, CaseStep: care.StepImplementation,
				ManagerName: long, ManagerPhone: "+84901000001", PINHash: "x"},
			CheckIn:  &dialog.CheckInFacts{ID: 1, AskedAt: at},
			Reminder: &dialog.ReminderFacts{ID: 7, At: at, Place: long},
		},
		plan: &dialog.PlanView{NextAt: &at, NextPlace: long},
	}
	for range 6 {
		s.plan.Services = append(s.plan.Services, dialog.ServiceView{Description: long, Status: care.ServiceInProgress})
	}
	return s
}
