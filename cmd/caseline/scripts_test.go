package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/simulators/phone"
)

// scriptsDir holds a scripted conversation (simulators/phone's script format) for every
// flow, written against the demo data of `caseline dev`. Those that need nothing of
// prepareScripts or scriptSetups also replay by hand against a fresh `caseline dev`:
//
//	go run ./cmd/caseline phone script cmd/caseline/testdata/scripts/plan.script
const scriptsDir = "testdata/scripts"

// scriptSetup is what a script needs done before it runs, through the public interfaces,
// and the template data its text gets ({{.Name}}), for what only the running system knows.
type scriptSetup struct {
	phones []string // numbers the setup talks as, besides the script's own
	run    func(t *testing.T, w scriptWorld) map[string]string
}

// scriptWorld is the dev system the scripts share and what TestScripts prepared in it.
type scriptWorld struct {
	s          *devSystem
	checkInDue time.Time // when the check-ins of the feature-phone and blind users go out
}

// scriptSetups are keyed by script name without ".script".
var scriptSetups = map[string]scriptSetup{
	"ack":           {phones: []string{demoDeafPhone.E164()}, run: setupEscalation},
	"checkin":       {run: waitCheckInSMS},
	"checkin_voice": {run: waitCheckInCall},
}

// TestScripts runs every script in testdata/scripts as a subtest, through the phone
// simulator, against one `caseline dev`. Scripts run in parallel, except that scripts
// using the same phone number (its "phone" lines and its setup's) take turns, so that no
// two conversations of one phone interleave; each script must hold whatever the order.
func TestScripts(t *testing.T) {
	endToEnd(t)
	files, err := filepath.Glob(filepath.Join(scriptsDir, "*.script"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for name := range scriptSetups {
		require.FileExists(t, filepath.Join(scriptsDir, name+".script"), "a setup for a script that does not exist")
	}

	w := prepareScripts(startDev(t))
	// After every script (cleanups run after the subtests, and before the dev system,
	// started earlier, stops): the abuse reports were confirmed neutrally, and no message
	// sent since — to the person or to staff — names their subject either.
	t.Cleanup(func() {
		abuse := regexp.MustCompile(`(?i)bao luc|xam hai|phan biet|violence|abuse|discrimination`)
		for _, m := range w.s.messages("") {
			if abuse.MatchString(m.Body) {
				t.Errorf("an SMS to %s names an abuse report's subject: %q", m.To, m.Body)
			}
		}
	})
	locks := &phoneLocks{m: map[string]*sync.Mutex{}}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".script")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			setup := scriptSetups[name]
			defer locks.lock(append(scriptPhones(raw), setup.phones...))()

			data := map[string]string{}
			if setup.run != nil {
				data = setup.run(t, scriptWorld{s: w.s.withT(t), checkInDue: w.checkInDue})
			}
			var text bytes.Buffer
			tmpl, err := template.New(name).Option("missingkey=error").Parse(string(raw))
			require.NoError(t, err)
			require.NoError(t, tmpl.Execute(&text, data))

			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			var log bytes.Buffer
			res, err := phone.RunScript(ctx, phone.ScriptOptions{Options: w.s.phoneOptions(""), Log: &log}, &text)
			require.NoError(t, err, "%s.script; conversation:\n%s", name, log.String())
			require.Positive(t, res.Checks)
			t.Logf("%d steps, %d checks; conversation:\n%s", res.Steps, res.Checks, log.String())
		})
	}
}

// prepareScripts gives the demo's feature-phone and blind users a case with Nguyễn Thị Lan
// and a check-in schedule, through the API, as a case manager would; and waits until the
// demo's deaf user got the reminder of tomorrow's appointment, which dev's workers send at
// once (its T−24h time has passed), so that no script's bare "1" or "2" by SMS can race it.
func prepareScripts(s *devSystem) scriptWorld {
	s.t.Helper()
	w := scriptWorld{s: s}
	lan := s.managerID()
	for _, number := range []string{demoFeaturePhone.E164(), demoBlindPhone.E164()} {
		p := s.person(number)
		var c apiCase
		s.api("POST", fmt.Sprintf("/persons/%d/cases", p.ID), map[string]any{"manager_id": lan}, http.StatusCreated, &c)
		require.Equal(s.t, lan, c.ManagerID)
		// An hour's window, open for the whole run: the scripts answer these check-ins.
		if due := s.scheduleCheckIn(c.ID, 60); due.After(w.checkInDue) {
			w.checkInDue = due
		}
	}
	s.waitMessage("the demo's reminder reaches the deaf user", demoDeafPhone.E164(),
		regexp.MustCompile(`^Caseline nhac lich hen ngay \d\d/\d\d luc 09:00 tai Tram y te xa Tan An\.`), dispatchSlack)
	return w
}

// waitCheckInSMS waits until the feature-phone user's check-in has gone out by SMS.
func waitCheckInSMS(_ *testing.T, w scriptWorld) map[string]string {
	w.s.waitMessage("the check-in reaches the feature-phone user", demoFeaturePhone.E164(),
		regexp.MustCompile(`^Caseline hoi tham: dao nay moi viec cua ban the nao\?`), time.Until(w.checkInDue)+dispatchSlack)
	return nil
}

// waitCheckInCall waits until the blind user has been called for his check-in.
func waitCheckInCall(_ *testing.T, w scriptWorld) map[string]string {
	w.s.eventually("the check-in call to the blind user", time.Until(w.checkInDue)+dispatchSlack, func() (bool, string) {
		cs := w.s.calls(demoBlindPhone.E164())
		return len(cs) > 0, fmt.Sprintf("%+v", cs)
	})
	return nil
}

// setupEscalation has the deaf user ask for help with an assistive device by SMS and returns
// the code of the escalation the SMS to her case manager carries.
func setupEscalation(t *testing.T, w scriptWorld) map[string]string {
	s := w.s
	lan := demoManagerPhone.E164()
	before := len(s.messages(lan))
	p := s.phone(demoDeafPhone.E164())
	for _, in := range []string{"GIUP", "2", "1", "2"} {
		_, err := p.SMS(context.Background(), in)
		require.NoError(t, err)
	}
	re := regexp.MustCompile(`^Caseline #(\d+): Do Thi Hoa \+84912000001 can tro giup: dung cu.* Tra loi XN (\d+)$`)
	var code string
	s.eventually("the escalation SMS reaches the case manager", dispatchSlack, func() (bool, string) {
		ms := s.messages(lan)
		for _, m := range ms[min(before, len(ms)):] {
			if mm := re.FindStringSubmatch(m.Body); mm != nil && mm[1] == mm[2] {
				code = mm[1]
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", ms)
	})
	return map[string]string{"Escalation": code}
}

// scriptPhones lists the numbers a script talks as: its "phone" lines.
func scriptPhones(script []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(script))
	for sc.Scan() {
		if n, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "phone "); ok {
			out = append(out, strings.TrimSpace(n))
		}
	}
	return out
}

// phoneLocks gives a script its phones to itself.
type phoneLocks struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

// lock takes the locks of numbers, in a fixed order so that two scripts cannot each hold
// one the other waits for, and returns the function that releases them.
func (l *phoneLocks) lock(numbers []string) func() {
	numbers = slices.Compact(slices.Sorted(slices.Values(numbers)))
	held := make([]*sync.Mutex, 0, len(numbers))
	for _, n := range numbers {
		l.mu.Lock()
		m, ok := l.m[n]
		if !ok {
			m = &sync.Mutex{}
			l.m[n] = m
		}
		l.mu.Unlock()
		m.Lock()
		held = append(held, m)
	}
	return func() {
		for _, m := range held {
			m.Unlock()
		}
	}
}

func TestScriptPhones(t *testing.T) {
	got := scriptPhones([]byte("# phone +1 is a comment\nphone +84970000001\nsms> hi\n  phone   +84912000001 \n"))
	require.Equal(t, []string{"+84970000001", "+84912000001"}, got)
}
