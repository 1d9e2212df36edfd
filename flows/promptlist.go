package flows

import (
	"slices"
	"strings"

	"github.com/caseline/caseline/care"
)

// PromptEntry is one prompt as `caseline prompts list` shows it to a translator or a voice
// artist.
type PromptEntry struct {
	ID   string
	Text map[care.Language]string
	// Channels are where the state walk hears it, in SMS, USSD, voice order; empty for a
	// prompt said outside a person's dialog (the SMS to a case manager).
	Channels []care.Channel
	// Recordable is false for a prompt with placeholders: its words change with each person,
	// so a call always says it (text-to-speech) and a recording of it is refused.
	Recordable bool
}

// ListPrompts lists every prompt of p in file order, with the channels it is used on.
func ListPrompts(p *Prompts) []PromptEntry {
	used := map[string]map[care.Channel]bool{}
	mark := func(ch care.Channel, ids ...string) {
		for _, id := range ids {
			if used[id] == nil {
				used[id] = map[care.Channel]bool{}
			}
			used[id][ch] = true
		}
	}
	e := NewEngine(Deps{Prompts: p})
	walkPrompts(e, care.HelpCategories, func(r rendering) {
		r.s.pages(r.p) // the paging words, where a prompt pages
		if r.ch == care.ChannelVoice {
			r.s.voiceKeys()
		}
		mark(r.ch, r.s.used...)
	})
	// The walk fills a plan with one case step and service status and names the default
	// emergency numbers: the others are used where those are.
	for id, like := range map[string]string{"step_": keyPlanStep, "service_": keyPlanService, "emergency_": keyHelpEmergency} {
		for _, other := range p.order {
			if strings.HasPrefix(other, id) {
				for ch := range used[like] {
					mark(ch, other)
				}
			}
		}
	}
	var out []PromptEntry
	for _, id := range p.order {
		en := PromptEntry{ID: id, Text: map[care.Language]string{}, Recordable: true}
		for _, lang := range PromptLanguages {
			en.Text[lang] = p.text[lang][id]
			if len(placeholders(p.text[lang][id])) > 0 {
				en.Recordable = false
			}
		}
		for _, ch := range []care.Channel{care.ChannelSMS, care.ChannelUSSD, care.ChannelVoice} {
			if used[id][ch] {
				en.Channels = append(en.Channels, ch)
			}
		}
		out = append(out, en)
	}
	return out
}

// Recordable reports whether id is a prompt of p that a recording may replace on calls: one
// without placeholders. Prompts filled in at run time (a reference number, a date) are
// always said, since no recording can hold every value.
func (p *Prompts) Recordable(id string) bool {
	for _, lang := range PromptLanguages {
		text, ok := p.text[lang][id]
		if !ok || len(placeholders(text)) > 0 {
			return false
		}
	}
	return true
}

// IDs lists p's prompt ids in file order.
func (p *Prompts) IDs() []string { return slices.Clone(p.order) }
