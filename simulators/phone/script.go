package phone

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ScriptOptions configures RunScript.
type ScriptOptions struct {
	// Options is the service and the first phone; a script's "phone" lines switch numbers.
	Options
	// Log, when set, receives a transcript of the conversation as it runs.
	Log io.Writer
	// StrictDiacritics makes contains:, say: and the text after CON/END compare diacritics
	// too; by default "Ten cua ban" matches "Tên của bạn".
	StrictDiacritics bool
}

// Result is how a script ran.
type Result struct {
	// Steps is how many inputs (sms>, ussd>, call>, press>, wait>) were sent.
	Steps int
	// Checks is how many expectations held.
	Checks int
	// Mismatch is the first expectation that did not hold; nil when all held.
	Mismatch *Mismatch
}

// Mismatch is an expectation of a script that the service's answer did not meet.
type Mismatch struct {
	// Line is the expectation's line number, from 1.
	Line int
	// Expected is the expectation as written.
	Expected string
	// Actual is what the service answered.
	Actual string
}

// Error describes the mismatch with its line.
func (m *Mismatch) Error() string {
	return fmt.Sprintf("line %d: expected %s, got %q", m.Line, m.Expected, m.Actual)
}

// answer is the last reply a script's expectations look at.
type answer struct {
	channel string // "sms", "ussd", "voice"
	text    string // messages, screen or spoken text joined by "\n"
	empty   bool   // no message, an empty screen, nothing said
	end     bool   // USSD END or the call is over
	dial    string
	gather  bool
	status  int // HTTP status of a failed step, 0 when it succeeded
	err     error
	checked bool // an expectation looked at a failed step's status
}

type scriptRun struct {
	opts   ScriptOptions
	phones map[string]*Phone
	phone  *Phone
	last   *answer
	res    Result
}

// RunScript sends a script's inputs to the service and checks its expectations (see the
// package documentation for the format). It stops at the first mismatch, reported both in
// Result.Mismatch and as a *Mismatch error; a malformed line or a failed request is an error
// naming its line.
func RunScript(ctx context.Context, opts ScriptOptions, r io.Reader) (Result, error) {
	run := &scriptRun{opts: opts, phones: map[string]*Phone{}}
	if opts.Number != "" {
		if err := run.switchPhone(opts.Number); err != nil {
			return run.res, err
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return run.res, fmt.Errorf("script line %d: %w", n, err)
		}
		var err error
		if strings.HasPrefix(line, "<") {
			err = run.expect(strings.TrimSpace(line[1:]), n)
		} else {
			if err = run.unchecked(); err == nil {
				err = run.step(ctx, line, n)
			}
		}
		var mm *Mismatch
		if errors.As(err, &mm) {
			run.res.Mismatch = mm
			return run.res, err
		}
		if err != nil {
			return run.res, fmt.Errorf("script line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return run.res, fmt.Errorf("read script: %w", err)
	}
	if err := run.unchecked(); err != nil {
		return run.res, fmt.Errorf("script line %d: %w", n, err)
	}
	return run.res, nil
}

// unchecked fails when the last step failed and no "status:" expectation accepted it.
func (s *scriptRun) unchecked() error {
	if s.last != nil && s.last.err != nil && !s.last.checked {
		return s.last.err
	}
	return nil
}

func (s *scriptRun) switchPhone(number string) error {
	if p, ok := s.phones[number]; ok {
		s.phone = p
		return nil
	}
	o := s.opts.Options
	o.Number = number
	p, err := New(o)
	if err != nil {
		return err
	}
	s.phones[number] = p
	s.phone = p
	return nil
}

func (s *scriptRun) logf(format string, args ...any) {
	if s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, format, args...)
	}
}

// step runs one input line.
func (s *scriptRun) step(ctx context.Context, line string, n int) error {
	if rest, ok := strings.CutPrefix(line, "phone "); ok {
		return s.switchPhone(strings.TrimSpace(rest))
	}
	cmd, arg, ok := strings.Cut(line, ">")
	if !ok {
		return fmt.Errorf("%q is neither an input (sms>, ussd>, call>, press>, wait>, dialed>, hangup>), an expectation (<) nor phone", line)
	}
	cmd, arg = strings.TrimSpace(cmd), strings.TrimSpace(arg)
	if s.phone == nil && cmd != "" {
		return errors.New("no phone yet: start the script with \"phone +84…\" or set Options.Number")
	}
	p := s.phone
	a := &answer{}
	var err error
	switch cmd {
	case "sms":
		s.logf("%s sms> %s\n", p.number.E164(), arg)
		var r SMSReply
		r, err = p.SMS(ctx, arg)
		a.channel, a.text, a.empty = "sms", strings.Join(r.Messages, "\n"), strings.TrimSpace(strings.Join(r.Messages, "")) == ""
		if err == nil {
			s.log(func(w io.Writer) { showSMS(w, r) })
		}
	case "ussd":
		s.logf("%s ussd> %s\n", p.number.E164(), arg)
		var scr Screen
		if isServiceCode(arg) {
			scr, err = p.DialUSSD(ctx, arg)
		} else {
			scr, err = p.ReplyUSSD(ctx, arg)
		}
		a.channel, a.text, a.empty, a.end = "ussd", scr.Text, strings.TrimSpace(scr.Text) == "", scr.End
		if err == nil {
			s.log(func(w io.Writer) { showScreen(w, scr) })
		}
	case "call", "press", "wait", "dialed":
		s.logf("%s %s> %s\n", p.number.E164(), cmd, arg)
		var t VoiceTurn
		switch cmd {
		case "call":
			t, err = p.Call(ctx)
		case "press":
			if arg == "" {
				return errors.New("press> needs digits")
			}
			t, err = p.Press(ctx, arg)
		case "wait":
			t, err = p.Wait(ctx)
		case "dialed":
			if arg == "" {
				return fmt.Errorf("dialed> needs how the call ended (%s)", strings.Join(DialStatuses, ", "))
			}
			t, err = p.DialEnds(ctx, arg)
		}
		a.channel, a.text, a.end, a.dial, a.gather = "voice", strings.Join(t.Says, "\n"), t.End, t.Dial, t.Gather != nil
		a.empty = len(t.Says) == 0 && len(t.Plays) == 0
		if err == nil {
			s.log(func(w io.Writer) { showVoice(w, t) })
		}
	case "hangup":
		s.logf("%s hangup>\n", p.number.E164())
		p.Hangup()
		a.channel, a.end, a.empty = "voice", true, true
	default:
		return fmt.Errorf("unknown input %q", cmd+">")
	}
	s.res.Steps++
	s.last = a
	if err != nil {
		var se *StatusError
		if !errors.As(err, &se) {
			return err
		}
		a.status, a.err = se.Code, err
		a.text = se.Body
		s.logf("(http status %d)\n", se.Code)
	}
	return nil
}

func (s *scriptRun) log(show func(io.Writer)) {
	if s.opts.Log != nil {
		show(s.opts.Log)
	}
}

// isServiceCode tells a USSD code to dial ("*123#", "*123*4#") from input in a session.
func isServiceCode(s string) bool {
	return len(s) > 2 && strings.HasPrefix(s, "*") && strings.HasSuffix(s, "#")
}

// expect checks one expectation against the last answer.
func (s *scriptRun) expect(exp string, n int) error {
	a := s.last
	if a == nil {
		return errors.New("an expectation before any input")
	}
	fail := func(actual string) error { return &Mismatch{Line: n, Expected: exp, Actual: actual} }
	// "CON Chọn", "END", "none", "end", "gather": a word, perhaps followed by text;
	// otherwise "kind: argument".
	kind, arg, _ := strings.Cut(exp, " ")
	switch kind {
	case "CON", "END", "none", "end", "gather":
	default:
		kind, arg, _ = strings.Cut(exp, ":")
	}
	kind, arg = strings.TrimSpace(kind), strings.TrimSpace(arg)
	if kind == "status" {
		code, err := strconv.Atoi(arg)
		if err != nil {
			return fmt.Errorf("status: %q is not a number", arg)
		}
		a.checked = true
		if a.status != code {
			return fail(fmt.Sprintf("http status %d", orOK(a.status)))
		}
		s.res.Checks++
		return nil
	}
	if a.err != nil {
		return fail(fmt.Sprintf("http status %d: %s", a.status, strings.TrimSpace(a.text)))
	}
	ok := false
	switch kind {
	case "contains":
		ok = s.contains(a.text, arg)
	case "equals":
		ok = strings.TrimSpace(a.text) == arg
	case "matches":
		re, err := regexp.Compile(arg)
		if err != nil {
			return fmt.Errorf("matches: %w", err)
		}
		ok = re.MatchString(a.text)
	case "none":
		ok = a.empty
	case "CON", "END":
		if a.channel != "ussd" {
			return fail(a.channel + " reply, not a USSD screen")
		}
		ok = a.end == (kind == "END") && (arg == "" || s.contains(a.text, arg))
		if !ok {
			return fail(ussdRaw(a))
		}
	case "say":
		if a.channel != "voice" {
			return fail(a.channel + " reply, not a call")
		}
		ok = s.contains(a.text, arg)
	case "dial":
		if a.channel != "voice" {
			return fail(a.channel + " reply, not a call")
		}
		if !(a.dial != "" && (arg == "" || a.dial == arg)) {
			return fail("dial " + strconv.Quote(a.dial))
		}
		ok = true
	case "gather":
		if !(a.channel == "voice" && a.gather) {
			return fail(fmt.Sprintf("%s reply without a <Gather>: %s", a.channel, a.text))
		}
		ok = true
	case "end":
		if a.channel == "sms" {
			return fail("an SMS reply: only USSD sessions and calls end")
		}
		ok = a.end
		if !ok {
			return fail("still open: " + a.text)
		}
	default:
		return fmt.Errorf("unknown expectation %q (contains:, equals:, matches:, none, CON, END, say:, dial:, gather, end, status:)", kind)
	}
	if !ok {
		return fail(a.text)
	}
	s.res.Checks++
	return nil
}

func orOK(status int) int {
	if status == 0 {
		return 200
	}
	return status
}

func ussdRaw(a *answer) string {
	if a.end {
		return "END " + a.text
	}
	return "CON " + a.text
}

// contains reports whether want occurs in text, ignoring case and runs of white space, and
// diacritics unless the script is strict about them.
func (s *scriptRun) contains(text, want string) bool {
	return strings.Contains(s.fold(text), s.fold(want))
}

func (s *scriptRun) fold(t string) string {
	t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
	if s.opts.StrictDiacritics {
		return norm.NFC.String(t)
	}
	return stripMarks(t)
}

// stripMarks removes combining marks after decomposition (ế → e) and maps đ/Đ, which do not
// decompose, to d/D.
func stripMarks(t string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(t) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ':
			b.WriteRune('d')
		case r == 'Đ':
			b.WriteRune('D')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
