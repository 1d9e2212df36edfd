package flows

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/looplab/fsm"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
)

// Register, for oneself or on someone's behalf: name, commune, main need areas, contact
// channel, consent. It opens a case at step 1 with the commune's case manager and queues an
// SMS telling them. By voice only consent and a commune code are asked: the caller's number
// is registered and the case manager completes the details.
const (
	stWho          = "who"
	stPhone        = "phone"
	stName         = "name"
	stCommune      = "commune"
	stNeeds        = "needs"
	stChannel      = "channel"
	stConsent      = "consent"
	stVoiceConsent = "voice_consent"
	stVoiceCommune = "voice_commune"
	stRelation     = "relation"
	stTaken        = "taken"
	stRegistered   = "registered"
	stDeclined     = "declined"
	stAlready      = "already"

	evBeginVoice   = "begin_voice"
	evKnown        = "known"
	evSelf         = "self"
	evOther        = "other"
	evPhone        = "phone"
	evTaken        = "taken"
	evRelation     = "relation"
	evName         = "name"
	evCommune      = "commune"
	evNeeds        = "needs"
	evChannel      = "channel"
	evAgree        = "agree"
	evDecline      = "decline"
	evVoiceAgree   = "voice_agree"
	evVoiceCommune = "voice_commune"

	varRegPhone    = "reg_phone"
	varRegName     = "reg_name"
	varRegCommune  = "reg_commune"
	varRegNeeds    = "reg_needs"
	varRegChannel  = "reg_channel"
	varRegRelation = "reg_relation"
	varRef         = "ref"
	varExisting    = "existing"
	// varUnassigned marks a registration no staff of the commune could take.
	varUnassigned = "unassigned"
)

func registerFlow() *flowSpec {
	return &flowSpec{
		name: flowRegister,
		events: fsm.Events{
			{Name: evBegin, Src: []string{stateStart}, Dst: stWho},
			{Name: evBeginVoice, Src: []string{stateStart}, Dst: stVoiceConsent},
			{Name: evKnown, Src: []string{stateStart, stWho}, Dst: stAlready},
			{Name: evSelf, Src: []string{stWho}, Dst: stName},
			{Name: evOther, Src: []string{stWho}, Dst: stPhone},
			{Name: evPhone, Src: []string{stPhone}, Dst: stRelation},
			{Name: evTaken, Src: []string{stPhone}, Dst: stTaken},
			{Name: evRelation, Src: []string{stRelation}, Dst: stName},
			{Name: evName, Src: []string{stName}, Dst: stCommune},
			{Name: evCommune, Src: []string{stCommune}, Dst: stNeeds},
			{Name: evNeeds, Src: []string{stNeeds}, Dst: stChannel},
			{Name: evChannel, Src: []string{stChannel}, Dst: stConsent},
			{Name: evAgree, Src: []string{stConsent}, Dst: stRegistered},
			{Name: evDecline, Src: []string{stConsent, stVoiceConsent}, Dst: stDeclined},
			{Name: evVoiceAgree, Src: []string{stVoiceConsent}, Dst: stVoiceCommune},
			{Name: evVoiceCommune, Src: []string{stVoiceCommune}, Dst: stRegistered},
		},
		entry: func(s *step) string {
			switch {
			case s.in.Channel == care.ChannelVoice && s.person() != nil:
				return evKnown
			case s.in.Channel == care.ChannelVoice:
				return evBeginVoice
			}
			return evBegin
		},
		callbacks: func(s *step) fsm.Callbacks {
			return fsm.Callbacks{
				beforeEvent(evName): func(_ context.Context, e *fsm.Event) {
					name := strings.Join(strings.Fields(fmt.Sprint(e.Args[0])), " ")
					if n := utf8.RuneCountInString(name); n < 2 || n > 100 {
						refuse(e, keyRegNameBad)
						return
					}
					s.vars[varRegName] = NFC(name)
				},
				beforeEvent(evPhone): func(_ context.Context, e *fsm.Event) {
					p, err := care.ParsePhone(fmt.Sprint(e.Args[0]))
					if err != nil {
						refuse(e, keyRegPhoneBad)
						return
					}
					if p == s.in.Phone && s.person() != nil {
						refuse(e, keyRegPhoneTaken)
						return
					}
					s.vars[varRegPhone] = string(p)
				},
			}
		},
		states: map[string]stateSpec{
			stWho: {channels: textChannels(), prompt: ask(keyRegWho, keyRegSelf, keyRegOther), input: func(_ context.Context, s *step, text string) (string, []any, error) {
				ev := choice(text, evSelf, evOther)
				if ev == evSelf && s.person() != nil {
					ev = evKnown
				}
				return ev, nil, nil
			}},
			stPhone: {channels: textChannels(), prompt: func(s *step) Prompt { return Prompt{Text: s.t(keyRegPhone), Expect: ExpectDigits} },
				input: func(ctx context.Context, s *step, text string) (string, []any, error) {
					// A number registered already is said at once, not after every question.
					if p, err := care.ParsePhone(text); err == nil && p != s.in.Phone {
						known, err := s.turn.Known(ctx, p)
						if err != nil {
							return "", nil, err
						}
						if known {
							return evTaken, nil, nil
						}
					}
					return evPhone, []any{text}, nil
				}},
			stTaken: {channels: textChannels(), prompt: say(keyRegPhoneTaken), end: true},
			stRelation: {channels: textChannels(), prompt: func(s *step) Prompt {
				p := Prompt{Text: s.t(keyRegRelation), Expect: ExpectChoice}
				for i, r := range care.Relations {
					p.Options = append(p.Options, Option{Key: strconv.Itoa(i + 1), Label: s.t(relationOptionKey(r))})
				}
				return p
			}, input: func(_ context.Context, _ *step, text string) (string, []any, error) {
				n, err := strconv.Atoi(strings.TrimSpace(text))
				if err != nil || n < 1 || n > len(care.Relations) {
					return "", nil, nil
				}
				return evRelation, vars(varRegRelation, string(care.Relations[n-1])), nil
			}},
			stName: {channels: textChannels(), prompt: func(s *step) Prompt {
				if s.vars[varRegPhone] != "" {
					return Prompt{Text: s.t(keyRegNameOther), Expect: ExpectText}
				}
				return Prompt{Text: s.t(keyRegNameSelf), Expect: ExpectText}
			}, input: func(_ context.Context, _ *step, text string) (string, []any, error) {
				return evName, []any{text}, nil
			}},
			stCommune: {channels: textChannels(), prompt: func(s *step) Prompt { return Prompt{Text: s.t(keyRegCommune), Expect: ExpectText} },
				input: communeInput(evCommune, varRegCommune)},
			stNeeds: {channels: textChannels(), prompt: func(s *step) Prompt {
				p := Prompt{Text: s.t(keyRegNeeds), Expect: ExpectText}
				for i, a := range care.NeedAreas {
					p.Options = append(p.Options, Option{Key: strconv.Itoa(i + 1), Label: s.t(needKey(a))})
				}
				return p
			}, input: func(_ context.Context, s *step, text string) (string, []any, error) {
				needs, ok := parseNeeds(text)
				if !ok {
					s.notice = keyRegNeedsBad
					return "", nil, nil
				}
				return evNeeds, vars(varRegNeeds, needs), nil
			}},
			stChannel: {channels: textChannels(), prompt: ask(keyRegChannel, keyOptSMS, keyOptCall), input: func(_ context.Context, _ *step, text string) (string, []any, error) {
				switch text {
				case "1":
					return evChannel, vars(varRegChannel, string(care.ChannelSMS)), nil
				case "2":
					return evChannel, vars(varRegChannel, string(care.ChannelVoice)), nil
				}
				return "", nil, nil
			}},
			stConsent:      {channels: textChannels(), prompt: ask(keyRegConsent, keyOptAgree, keyOptNo), input: choose(evAgree, evDecline)},
			stVoiceConsent: {channels: voiceOnly(), prompt: ask(keyRegVoiceConsent, keyOptAgree, keyOptNo), input: choose(evVoiceAgree, evDecline)},
			stVoiceCommune: {channels: voiceOnly(), prompt: func(s *step) Prompt { return Prompt{Text: s.t(keyRegVoiceCommune), Expect: ExpectDigits} },
				input: communeInput(evVoiceCommune, varRegCommune)},
			stRegistered: {prompt: func(s *step) Prompt {
				if s.vars[varExisting] != "" {
					return Prompt{Text: s.t(keyRegPhoneTaken)}
				}
				if s.vars[varUnassigned] != "" {
					return Prompt{Text: s.t(keyRegDoneUnassigned, "ref", s.vars[varRef]) + " " + s.regWhoWillCall()}
				}
				return Prompt{Text: s.t(keyRegDone, "ref", s.vars[varRef])}
			}, act: register, end: true},
			stDeclined: {prompt: say(keyRegDeclined), end: true},
			stAlready: {prompt: func(s *step) Prompt {
				ref := ""
				if p := s.person(); p != nil {
					ref = strconv.FormatInt(int64(p.ID), 10)
				}
				return Prompt{Text: s.t(keyRegAlready, "ref", ref)}
			}, end: true},
		},
	}
}

// NormalizeCommune is a commune's code or name as typed, with the name normalised as the
// store compares it: lower case, no diacritics, spaces folded, no "xã", "phường" or "thị trấn".
func NormalizeCommune(text string) dialog.CommuneQuery {
	q := strings.TrimSpace(text)
	plain := strings.ToLower(strings.Join(strings.Fields(StripDiacritics(q)), " "))
	for _, prefix := range []string{"xa ", "phuong ", "thi tran "} {
		plain = strings.TrimPrefix(plain, prefix)
	}
	return dialog.CommuneQuery{Text: q, Plain: plain}
}

// regWhoWillCall tells a person registered where no staff can take their case who will get
// in touch: the support line (the on-call roster, told of it), or, with nobody on call,
// nobody is promised.
func (s *step) regWhoWillCall() string {
	if care.EscalationRoute(s.vars[varRoute]) == care.RouteNobody {
		return s.t(keyHelpNobody)
	}
	return s.t(keyHelpContact, "who", s.t(keyWhoSupport))
}

// communeInput looks the answer up as a commune code or name and keeps its code in the
// session var name.
func communeInput(ev, name string) func(context.Context, *step, string) (string, []any, error) {
	return func(ctx context.Context, s *step, text string) (string, []any, error) {
		if strings.TrimSpace(text) == "" {
			s.notice = keyRegCommuneBad
			return "", nil, nil
		}
		c, ok, err := s.turn.Commune(ctx, NormalizeCommune(text))
		if err != nil {
			return "", nil, err
		}
		if !ok {
			s.notice = keyRegCommuneBad
			return "", nil, nil
		}
		return ev, vars(name, string(c.Code)), nil
	}
}

// parseNeeds reads need area numbers: "1 3", "1,3", "13".
func parseNeeds(text string) (string, bool) {
	seen := map[int]bool{}
	var out []string
	for _, r := range text {
		switch {
		case r >= '1' && r <= '8':
			n := int(r - '0')
			if !seen[n] {
				seen[n] = true
				out = append(out, string(care.NeedAreas[n-1]))
			}
		case r == ' ' || r == ',' || r == ';' || r == '.' || r == '-':
		default:
			return "", false
		}
	}
	return strings.Join(out, ","), len(out) > 0
}

// register stores the person and their case, and queues the case manager's notice.
func register(ctx context.Context, s *step) error {
	r := dialog.Registration{Phone: s.in.Phone, Name: s.vars[varRegName], Commune: care.CommuneCode(s.vars[varRegCommune]),
		Language: s.lang, Channel: care.Channel(s.vars[varRegChannel]), Now: s.now}
	if p := s.vars[varRegPhone]; p != "" {
		r.Phone, r.RegisteredBy, r.Relation = care.Phone(p), s.in.Phone, care.Relation(s.vars[varRegRelation])
	}
	if s.in.Channel == care.ChannelVoice {
		r.Name, r.Channel = s.t(keyRegUnnamed), care.ChannelVoice
	}
	if !r.Channel.Valid() {
		r.Channel = care.ChannelSMS
	}
	for _, n := range strings.Split(s.vars[varRegNeeds], ",") {
		if n != "" {
			r.Needs = append(r.Needs, care.NeedArea(n))
		}
	}
	got, err := s.turn.Register(ctx, r)
	if err != nil {
		return err
	}
	if got.Existing {
		s.vars[varExisting] = "1"
		return nil
	}
	ref := strconv.FormatInt(int64(got.PersonID), 10)
	s.vars[varRef] = ref
	if r.RegisteredBy != "" {
		s.tellRegistered(r, got.PersonID)
	}
	if !got.ManagerActive {
		// No staff in the commune: the registration stands, and the on-call roster is told
		// so that someone opens the case; the reply says who, if anyone, will be in touch.
		s.vars[varRoute] = string(got.Route)
		s.vars[varUnassigned] = "1"
		s.writes.Escalation = &dialog.NewEscalation{Reason: care.ReasonUnassigned, PersonID: got.PersonID,
			Commune: r.Commune, NextLevelAt: s.nextLevel(false)}
		return nil
	}
	lang := got.ManagerLang
	if !lang.Valid() {
		lang = care.Vietnamese
	}
	needs := make([]string, len(r.Needs))
	for i, n := range r.Needs {
		needs[i] = s.e.cat.text(lang, needKey(n))
	}
	key := keyManagerRegister
	if s.in.Channel == care.ChannelVoice {
		key = keyManagerRegisterVoice
	}
	body := s.e.cat.text(lang, key, "ref", ref, "name", clip(r.Name, 30), "phone", string(r.Phone),
		"needs", clip(strings.Join(needs, ", "), 50), "case", strconv.FormatInt(int64(got.CaseID), 10))
	s.writes.Queue = append(s.writes.Queue, dialog.OutboundSMS{
		Phone: got.ManagerPhone, PersonID: got.PersonID, Body: StripDiacritics(body),
		Provider: s.provider(got.ManagerPhone), IdempotencyKey: "register:" + ref + ":manager",
	})
	return nil
}

// tellRegistered queues the SMS telling a person registered by someone else that they were,
// by whom (how they are related, never the registrant's number, which may be a shared
// phone's) and how to decline: the explicit opt-out, which asks to confirm, stops every
// message and tells their case manager. It goes in the language the registration was made in.
func (s *step) tellRegistered(r dialog.Registration, id care.PersonID) {
	rel := r.Relation
	if !rel.Valid() || rel == "" {
		rel = care.RelationOther
	}
	body := s.t(keyRegToldOther, "who", s.t(relationKey(rel)))
	s.writes.Queue = append(s.writes.Queue, dialog.OutboundSMS{
		Phone: r.Phone, PersonID: id, Body: StripDiacritics(body), Provider: s.provider(r.Phone),
		IdempotencyKey: "register:" + strconv.FormatInt(int64(id), 10) + ":person",
	})
}

// relationOptionKey is the catalog key of a relation as the registrant picks it ("I am
// their parent"); relationKey as the person is told it ("your parent").
func relationOptionKey(r care.Relation) string { return "relation_opt_" + string(r) }

func relationKey(r care.Relation) string { return "relation_" + string(r) }

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n]))
}
