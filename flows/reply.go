package flows

// Reply rendering: the prompt the turn ends on, paged and laid out for the channel.

import (
	"encoding/json"
	"strconv"

	"github.com/caseline/caseline/care"
)

// reply renders the prompt for the channel and settles the session for the next turn.
func (s *step) reply() Reply {
	version := s.f.Session.Version + 1
	diacritics := s.f.Person != nil && s.f.Person.Diacritics
	if s.silent {
		return Reply{Silent: true, Step: version, Diacritics: diacritics}
	}
	var (
		full Prompt
		ok   bool
	)
	if s.again {
		full, ok = s.last()
	}
	if !ok {
		full = s.render()
		delete(s.vars, varPage)
	}
	if full.End || s.flow == "" {
		s.idle()
	}
	shown := full
	if s.notice != "" {
		shown.Text = s.t(s.notice, s.noticeArgs...) + " " + shown.Text
	}
	r := Reply{Prompt: shown, Step: version, Diacritics: diacritics, Slow: s.vars[varSlow] == "1"}
	if s.in.Channel != care.ChannelSMS {
		s.page(&r, full)
	}
	r.Text = wireText(s.in.Channel, r)
	return r
}

// page keeps full as the last prompt, puts the page on screen in r (USSD, voice) and says
// the voice keys on a call's first menu or when asked again.
func (s *step) page(r *Reply, full Prompt) {
	if b, err := json.Marshal(full); err == nil {
		s.vars[varLast] = string(b)
	}
	pages := s.pages(r.Prompt)
	page, _ := strconv.Atoi(s.vars[varPage])
	if page >= len(pages) {
		page = 0
	}
	if len(pages) > 1 {
		s.vars[varPage] = strconv.Itoa(page)
	} else {
		delete(s.vars, varPage)
	}
	r.Prompt = pages[page]
	if s.in.Channel == care.ChannelVoice && r.Prompt.Expect == ExpectChoice && !r.Prompt.End &&
		(s.vars[varKeys] == "" || s.in.Text == VoiceRepeatKey) {
		r.Keys = s.voiceKeys()
		s.vars[varKeys] = "1"
	}
}

// voiceKeys lists, in the session's language, the keys every voice menu has besides its
// options. They are said on a call's first menu, and again when the caller asks to hear a
// prompt again, rather than after every menu: five options and three keys each time is more
// than a caller can hold.
func (s *step) voiceKeys() []Option {
	return []Option{
		{Key: VoiceRepeatKey, Label: s.t(keyVoiceRepeat)},
		{Key: VoicePersonKey, Label: s.t(keyVoicePerson)},
		{Key: VoiceSlowerKey, Label: s.t(keyVoiceSlower)},
	}
}

// render builds the current state's prompt in the session's language.
func (s *step) render() Prompt {
	if s.flow == "" {
		return Prompt{Text: s.t(keyBye), End: true, Language: s.lang}
	}
	st := s.e.flows[s.flow].states[s.state]
	p := st.prompt(s)
	p.Language = s.lang
	if st.end {
		p.End = true
		p.Expect = ExpectNothing
	} else if p.Expect == ExpectNothing {
		p.Expect = ExpectChoice
	}
	return p
}

// pages splits a prompt for the channel's screen or menu limits.
func (s *step) pages(p Prompt) []Prompt {
	switch s.in.Channel {
	case care.ChannelUSSD:
		return ussdPages(p, s.e.limit, s.t(keyMore), s.t(keyBack))
	case care.ChannelVoice:
		return voicePages(p, s.t(keyMore), s.t(keyMoreOptions))
	}
	return []Prompt{p}
}

// t looks a prompt up in the session's language, filling {name} placeholders from kv pairs.
func (s *step) t(key string, kv ...string) string {
	if v, ok := voiceVariants[key]; ok && s.in.Channel == care.ChannelVoice {
		key = v
	}
	if _, ok := s.e.cat[key]; !ok {
		s.missing = append(s.missing, key)
	}
	s.used = append(s.used, key)
	return s.e.cat.text(s.lang, key, kv...)
}

// menu builds a choice prompt from catalog keys: options are numbered from 1.
func (s *step) menu(text string, options ...string) Prompt {
	return Prompt{Text: s.t(text), Expect: ExpectChoice, Options: s.options(options...)}
}

// options numbers catalog keys' texts from 1.
func (s *step) options(keys ...string) []Option {
	out := make([]Option, len(keys))
	for i, k := range keys {
		out[i] = Option{Key: strconv.Itoa(i + 1), Label: s.t(k)}
	}
	return out
}
