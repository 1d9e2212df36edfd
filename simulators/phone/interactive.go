package phone

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

const interactiveHelp = `commands:
  sms <text>        send an SMS, see the reply
  ussd <code>       dial a USSD code such as *123#; then type an option on its own
  call              call the service; then type a digit on its own, or
  wait              let the menu time out without pressing anything
  dialed <status>   while the call rings a person: how that call ended
                    (no-answer, busy, failed, canceled, completed)
  hangup            end the call or leave the USSD session
  phone <number>    become another phone (each keeps its own sessions)
  help              this list
  quit              leave
`

// Interactive runs a phone for a person at a terminal: it reads commands from in and prints
// the service's replies to out, until "quit", the end of in, or ctx is done. Failed requests
// are printed and the session goes on; only a broken in or out ends it with an error.
func Interactive(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	phones := map[string]*Phone{}
	p, err := New(opts)
	if err != nil {
		return fmt.Errorf("interactive: %w", err)
	}
	phones[p.number.E164()] = p
	fmt.Fprintf(out, "📱 phone %s talking to %s — type help for commands\n", p.number.E164(), opts.BaseURL)
	sc := bufio.NewScanner(in)
	for {
		fmt.Fprint(out, prompt(p))
		if !sc.Scan() {
			fmt.Fprintln(out)
			if err := sc.Err(); err != nil {
				return fmt.Errorf("interactive: read: %w", err)
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interactive: %w", err)
		}
		line := strings.TrimSpace(sc.Text())
		cmd, arg, _ := strings.Cut(line, " ")
		arg = strings.TrimSpace(arg)
		switch {
		case line == "":
		case cmd == "quit" || cmd == "exit":
			return nil
		case cmd == "help" || cmd == "?":
			fmt.Fprint(out, interactiveHelp)
		case cmd == "phone":
			if arg == "" {
				fmt.Fprintf(out, "this is %s\n", p.number.E164())
				break
			}
			o := opts
			o.Number = arg
			np, err := New(o)
			if err != nil {
				fmt.Fprintf(out, "error: %v\n", err)
				break
			}
			if known, ok := phones[np.number.E164()]; ok {
				np = known
			}
			phones[np.number.E164()] = np
			p = np
		case cmd == "sms":
			r, err := p.SMS(ctx, arg)
			if report(out, err) {
				showSMS(out, r)
			}
		case cmd == "ussd" && arg == "":
			fmt.Fprintln(out, "usage: ussd *123# (then type options on their own)")
		case cmd == "ussd" && (isServiceCode(arg) || !p.USSDOpen()):
			scr, err := p.DialUSSD(ctx, arg)
			if report(out, err) {
				showScreen(out, scr)
			}
		case cmd == "call":
			t, err := p.Call(ctx)
			if report(out, err) {
				showVoice(out, t)
			}
		case cmd == "hangup" && (p.InCall() || p.USSDOpen()):
			p.Hangup()
			p.CancelUSSD()
			fmt.Fprintln(out, "(hung up)")
		case cmd == "ussd" || p.USSDOpen():
			input := line
			if cmd == "ussd" {
				input = arg
			}
			scr, err := p.ReplyUSSD(ctx, input)
			if report(out, err) {
				showScreen(out, scr)
			}
		case cmd == "wait" && p.InCall():
			t, err := p.Wait(ctx)
			if report(out, err) {
				showVoice(out, t)
			}
		case cmd == "dialed" && p.Dialing():
			t, err := p.DialEnds(ctx, arg)
			if report(out, err) {
				showVoice(out, t)
			}
		case (cmd == "press" || isDigits(line)) && p.InCall():
			digits := line
			if cmd == "press" {
				digits = arg
			}
			t, err := p.Press(ctx, digits)
			if report(out, err) {
				showVoice(out, t)
			}
		default:
			fmt.Fprintf(out, "unknown command %q — type help\n", line)
		}
	}
}

// prompt says which phone is typing and what it is in the middle of.
func prompt(p *Phone) string {
	switch {
	case p.USSDOpen():
		return p.number.E164() + " ussd> "
	case p.Dialing():
		return p.number.E164() + " ringing (dialed <status>)> "
	case p.InCall():
		return p.number.E164() + " call> "
	}
	return p.number.E164() + "> "
}

// report prints err and says whether there was none.
func report(out io.Writer, err error) bool {
	if err == nil {
		return true
	}
	var se *StatusError
	if errors.As(err, &se) {
		fmt.Fprintf(out, "⚠ the service answered HTTP %d: %s\n", se.Code, strings.TrimSpace(se.Body))
		return false
	}
	fmt.Fprintf(out, "⚠ error: %v\n", err)
	return false
}

// isDigits reports whether s is keypad input: digits, * and #.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r == '*' || r == '#') {
			return false
		}
	}
	return true
}
