package flows

import (
	"strings"
	"unicode/utf8"

	"github.com/caseline/caseline/care"
)

// SMSText lays a prompt out as an SMS: the text, then one line per option ("1 Register").
// Without diacritics (the default) Vietnamese goes as không dấu, GSM-7; every prompt the
// engine makes then fits one 160-character segment.
func SMSText(p Prompt, diacritics bool) string {
	s := layout(p)
	if !diacritics {
		return StripDiacritics(s)
	}
	return NFC(s)
}

// USSDText lays a prompt out as one USSD screen: the text, then one line per option. The
// engine paginates USSD replies, so the result fits the screen limit; Reply.Text adds
// "CON " or "END " and strips the diacritics (ussdScreen).
func USSDText(p Prompt) string { return layout(p) }

func layout(p Prompt) string {
	var b strings.Builder
	b.WriteString(p.Text)
	for _, o := range p.Options {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(o.Key)
		b.WriteByte(' ')
		b.WriteString(o.Label)
	}
	return b.String()
}

// ussdScreen is a USSD answer as Africa's Talking gets it: "END " when the prompt ends the
// session (or asks for nothing and offers nothing), "CON " otherwise; then USSDText without
// diacritics, which feature phones' GSM-7 screens show best.
func ussdScreen(p Prompt) string {
	prefix := "CON "
	if p.End || (p.Expect == ExpectNothing && len(p.Options) == 0) {
		prefix = "END "
	}
	return prefix + StripDiacritics(USSDText(p))
}

// wireText is r as the provider gets it on channel ch, and as the message log keeps it: the
// SMS body, the USSD answer, or the words a call says (voiceText). Silence is "".
func wireText(ch care.Channel, r Reply) string {
	switch {
	case r.Silent:
		return ""
	case ch == care.ChannelSMS:
		return SMSText(r.Prompt, r.Diacritics)
	case ch == care.ChannelUSSD:
		return ussdScreen(r.Prompt)
	}
	return voiceText(r)
}

// ussdPages splits a prompt into screens of at most limit characters: the text is cut
// between words, options stay whole, and each screen but the last ends "9 More", each but
// the first "0 Back". Only the last screen ends the session.
func ussdPages(p Prompt, limit int, more, back string) []Prompt {
	if utf8.RuneCountInString(USSDText(p)) <= limit {
		return []Prompt{p}
	}
	moreOpt, backOpt := Option{Key: USSDMoreKey, Label: more}, Option{Key: USSDBackKey, Label: back}
	budget := limit - utf8.RuneCountInString(layout(Prompt{Options: []Option{moreOpt, backOpt}})) - 1
	var pages []Prompt
	cur := Prompt{}
	size := 0
	flush := func() {
		pages = append(pages, cur)
		cur, size = Prompt{}, 0
	}
	for _, w := range strings.Fields(p.Text) {
		n := utf8.RuneCountInString(w)
		if size > 0 && size+1+n > budget {
			flush()
		}
		if size > 0 {
			cur.Text += " "
			size++
		}
		cur.Text += w
		size += n
	}
	for _, o := range p.Options {
		n := utf8.RuneCountInString(o.Key) + 1 + utf8.RuneCountInString(o.Label) + 1
		if size > 0 && size+n > budget {
			flush()
		}
		cur.Options = append(cur.Options, o)
		size += n
	}
	if size > 0 || len(pages) == 0 {
		flush()
	}
	expect := p.Expect
	if expect == ExpectNothing {
		expect = ExpectChoice
	}
	for i := range pages {
		pages[i].Language = p.Language
		pages[i].Expect = expect
		if i < len(pages)-1 {
			pages[i].Options = append(pages[i].Options, moreOpt)
		}
		if i > 0 {
			pages[i].Options = append(pages[i].Options, backOpt)
		}
	}
	last := &pages[len(pages)-1]
	last.End, last.Person, last.Expect = p.End, p.Person, p.Expect
	return pages
}

// VoiceMaxOptions is the most options a voice menu says: the pages here are cut to it, and
// the Twilio renderer warns of a menu that passes it.
const VoiceMaxOptions = 5

// voicePages splits a menu of more than five options: four options and "8 more" a page,
// keys unchanged, so the caller can press any of them on any page.
func voicePages(p Prompt, more, moreText string) []Prompt {
	if len(p.Options) <= VoiceMaxOptions {
		return []Prompt{p}
	}
	var pages []Prompt
	for i := 0; i < len(p.Options); i += VoiceMaxOptions - 1 {
		page := Prompt{Text: moreText, Expect: p.Expect, Language: p.Language}
		if i == 0 {
			page.Text = p.Text
		}
		page.Options = append(page.Options, p.Options[i:min(i+VoiceMaxOptions-1, len(p.Options))]...)
		page.Options = append(page.Options, Option{Key: VoiceMoreKey, Label: more})
		pages = append(pages, page)
	}
	return pages
}
