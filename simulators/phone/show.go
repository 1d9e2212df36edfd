package phone

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// screenWidth is how many characters of a USSD screen fit on one line of the box, about what
// a feature phone shows.
const screenWidth = 32

// showSMS prints the messages of an SMS reply.
func showSMS(w io.Writer, r SMSReply) {
	if len(r.Messages) == 0 {
		fmt.Fprintln(w, "(no reply)")
		return
	}
	for _, m := range r.Messages {
		fmt.Fprintf(w, "✉  %s\n", strings.ReplaceAll(m, "\n", "\n   "))
	}
}

// showScreen prints a USSD screen in a box, as a phone shows it.
func showScreen(w io.Writer, s Screen) {
	var lines []string
	for _, l := range strings.Split(s.Text, "\n") {
		lines = append(lines, wrap(l, screenWidth)...)
	}
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l))
	}
	tag := "CON"
	if s.End {
		tag = "END"
	}
	fmt.Fprintf(w, "┌─ %s %s┐\n", tag, strings.Repeat("─", max(0, width-len(tag)-1)))
	for _, l := range lines {
		fmt.Fprintf(w, "│ %s%s │\n", l, strings.Repeat(" ", width-utf8.RuneCountInString(l)))
	}
	fmt.Fprintf(w, "└%s┘\n", strings.Repeat("─", width+2))
	if s.End {
		fmt.Fprintln(w, "(session ended)")
	}
}

// wrap breaks a line into pieces of at most width characters, at spaces where it can.
func wrap(line string, width int) []string {
	var out []string
	for utf8.RuneCountInString(line) > width {
		runes := []rune(line)
		cut := width
		for i := width; i > width/2; i-- {
			if runes[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimRight(string(runes[:cut]), " "))
		line = strings.TrimLeft(string(runes[cut:]), " ")
	}
	return append(out, line)
}

// showVoice prints what a caller hears and what the call waits for.
func showVoice(w io.Writer, t VoiceTurn) {
	for _, s := range t.Says {
		fmt.Fprintf(w, "🔊 %s\n", s)
	}
	for _, p := range t.Plays {
		fmt.Fprintf(w, "🔊 [recording %s]\n", p)
	}
	switch {
	case t.Dial != "" && t.End:
		fmt.Fprintf(w, "📞 connecting you to %s (call ended)\n", t.Dial)
	case t.Dial != "":
		fmt.Fprintf(w, "📞 ringing %s — say how it ends: dialed no-answer, busy, failed, canceled or completed\n", t.Dial)
	case t.End:
		fmt.Fprintln(w, "(call ended)")
	case t.Gather != nil:
		digits := "digits"
		if t.Gather.NumDigits == 1 {
			digits = "a key"
		}
		fmt.Fprintf(w, "(press %s, or wait: %d s)\n", digits, t.Gather.Timeout)
	}
}
