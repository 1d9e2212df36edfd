package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// chromium is Debian's browser, which scripts/test.sh installs when a test mentions it.
const chromium = "/usr/bin/chromium"

// browserWidth is a small Android phone's: every page must be readable without scrolling
// sideways.
const browserWidth = 360

// consoleBrowser drives one headless Chromium against a dev system's console. It records
// every JavaScript error and console error (a CSP violation is one) for the test to fail on.
type consoleBrowser struct {
	t      *testing.T
	s      *devSystem
	ctx    context.Context
	out    string // the folder screenshots go to
	axe    string // axe-core's source
	mu     sync.Mutex
	errors []string
	shots  int
}

func newConsoleBrowser(t *testing.T, s *devSystem) *consoleBrowser {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing; CI must run the browser tests (scripts/test.sh installs chromium)", chromium)
		}
		t.Skipf("%s is not installed (scripts/test.sh installs it)", chromium)
	}
	axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	require.NoError(t, err)
	out := filepath.Join("testdata", "out", "console")
	require.NoError(t, os.MkdirAll(out, 0o755))
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(browserWidth, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &consoleBrowser{t: t, s: s, ctx: ctx, out: out, axe: string(axe)}
	// Console starts the browser and subscribes before any page loads: every error of every
	// page (an exception, console.error, a CSP violation or a failed load in the browser's
	// log) is recorded.
	messages := chromedp.Console(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.record(fmt.Sprintf("%s (%s)", m, m.URL))
			}
		}
	})
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); wg.Wait() })
	// A phone's viewport: a window cannot be narrower than 500 px in headless Chromium.
	b.run("a phone's viewport", chromedp.EmulateViewport(browserWidth, 800, chromedp.EmulateMobile))
	return b
}

func (b *consoleBrowser) record(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, msg)
}

// run runs actions, failing the test on an error.
func (b *consoleBrowser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	require.NoError(b.t, chromedp.Do(ctx, actions...), what)
}

// value runs one action and returns its value, failing the test on an error.
func value[T any](b *consoleBrowser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	require.NoError(b.t, err, what)
	return v
}

// axeResult is the part of axe.run's result the test reads.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			HTML string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes []struct {
		ID string `json:"id"`
	} `json:"passes"`
}

// check takes a screenshot of the page as name, runs axe-core on it (no serious or critical
// WCAG 2.2 A/AA violation), and checks nothing is wider than the phone.
func (b *consoleBrowser) check(name string) {
	b.t.Helper()
	b.shots++
	shot := value(b, "screenshot "+name, chromedp.FullScreenshot(100))
	value(b, "load axe-core", chromedp.Evaluate[bool](b.axe+"\n;true"))
	res := value(b, "axe "+name, chromedp.Evaluate[axeResult](
		`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})`,
		chromedp.EvalAwaitPromise))
	width := value(b, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	require.NoError(b.t, os.WriteFile(filepath.Join(b.out, fmt.Sprintf("%02d-%s.png", b.shots, name)), shot, 0o644))
	require.NotEmpty(b.t, res.Passes, "axe-core ran on %s", name)
	b.t.Logf("%s: axe-core: %d rules pass, %d violations", name, len(res.Passes), len(res.Violations))
	for _, v := range res.Violations {
		b.t.Logf("%s: axe %s (%s): %s", name, v.ID, v.Impact, v.Help)
		if v.Impact == "serious" || v.Impact == "critical" {
			var nodes []string
			for _, n := range v.Nodes {
				nodes = append(nodes, n.HTML)
			}
			b.t.Errorf("%s: axe %s (%s): %s: %s", name, v.ID, v.Impact, v.Help, strings.Join(nodes, " | "))
		}
	}
	require.LessOrEqual(b.t, width, browserWidth, "%s is wider than a %d-px phone", name, browserWidth)
}

// signIn signs in with number, reading the code from the fake Twilio.
func (b *consoleBrowser) signIn(number, local string) {
	b.t.Helper()
	b.run("ask for a code",
		chromedp.Navigate(b.s.base+"/console/"),
		chromedp.WaitVisible(chromedp.ID(`#phone`)),
	)
	b.check("sign-in")
	b.run("type the number", chromedp.SendKeys(chromedp.ID(`#phone`), local))
	b.submit("/console/sign-in", `#code`)
	code := b.s.waitMessage("the sign-in code", number, regexp.MustCompile(`Caseline cua anh/chi: (\d{6})`), dispatchSlack)[1]
	b.run("type the code", chromedp.SendKeys(chromedp.ID(`#code`), code))
	b.submit("/sign-in/code", `#inbox`)
}

// submit clicks the button of the form whose action ends with action, waits for the next
// page to load (the old one is marked, so its elements do not count) and for then on it.
func (b *consoleBrowser) submit(action string, then string) {
	b.t.Helper()
	value(b, "mark the page", chromedp.Evaluate[bool](`window.clOld = true; true`))
	b.run("submit "+action, chromedp.Click(chromedp.CSS(`form[action$="`+action+`"] button[type="submit"]`)))
	// The page being replaced may answer an evaluation with an error: ask again.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.clOld && document.readyState === 'complete'`))
		cancel()
		if err == nil && loaded {
			break
		}
		require.True(b.t, time.Now().Before(deadline), "the page after %s did not load: %v", action, err)
		time.Sleep(100 * time.Millisecond)
	}
	b.run("wait for "+then, chromedp.WaitVisible(chromedp.CSS(then)))
}

// openDetails opens every <details> of the page, so their forms can be filled.
func (b *consoleBrowser) openDetails() {
	value(b, "open the forms", chromedp.Evaluate[bool](`document.querySelectorAll('details').forEach(d => d.open = true); true`))
}

// TestConsoleInABrowser drives the console as staff do, in Chromium on a phone-sized
// window: the case manager signs in with the code from the fake Twilio, acknowledges an
// escalation, opens a case, assesses it, moves it to planning, drafts a plan and submits it, and writes
// an SMS to the deaf user; the approver signs in and approves the plan; the report opens in
// both languages. Every page is screenshot and checked by axe-core; any JavaScript error
// fails the test.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	s := startDev(t)
	b := newConsoleBrowser(t, s)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.db)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(ctx) })

	// An urgent escalation of the deaf user, as a check-in answered "I need help" makes.
	deaf := s.person(demoDeafPhone.E164())
	var escID int64
	require.NoError(t, conn.QueryRow(ctx, `
		INSERT INTO escalation (reason, urgent, person_id, case_id, commune)
		SELECT 'need_help', true, p.id, c.id, p.commune FROM person p JOIN care_case c ON c.person_id = p.id
		WHERE p.id = $1 RETURNING id`, deaf.ID).Scan(&escID))

	b.signIn(demoManagerPhone.E164(), "0901000101")
	b.run("the escalation is in the inbox", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`form[action="/console/escalations/%d/acknowledge"]`, escID))))
	b.check("inbox")
	b.submit(fmt.Sprintf("/escalations/%d/acknowledge", escID), `#inbox`)
	var esc apiEscalation
	s.api("GET", fmt.Sprintf("/escalations/%d", escID), nil, http.StatusOK, &esc)
	require.Equal(t, "acknowledged", esc.Status)
	require.NotNil(t, esc.AckedBy)

	// The inbox refreshes itself: a new escalation appears without reloading the page.
	var second int64
	require.NoError(t, conn.QueryRow(ctx, `
		INSERT INTO escalation (reason, urgent, person_id, commune) SELECT 'unreachable', false, id, commune FROM person
		WHERE id = $1 RETURNING id`, deaf.ID).Scan(&second))
	value(b, "mark the page", chromedp.Evaluate[bool](`window.clOld = true; true`))
	value(b, "refresh the list", chromedp.Evaluate[bool](`window.caselineRefresh().then(() => true)`, chromedp.EvalAwaitPromise))
	b.run("the new escalation is listed", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`form[action="/console/escalations/%d/acknowledge"]`, second))))
	require.True(t, value(b, "the same page", chromedp.Evaluate[bool](`window.clOld === true`)), "the page was not reloaded")

	b.run("people", chromedp.Navigate(s.base+"/console/people?q=Minh"), chromedp.WaitVisible(chromedp.CSS(`table`)))
	b.check("people")

	// The blind user's case, from its opening to a plan waiting for approval.
	blind := s.person(demoBlindPhone.E164())
	b.run("the blind user's page", chromedp.Navigate(fmt.Sprintf("%s/console/people/%d", s.base, blind.ID)),
		chromedp.WaitVisible(chromedp.ID(`#h-case`)))
	b.submit(fmt.Sprintf("/people/%d/cases", blind.ID), `#event`)
	var kase apiCase
	s.api("GET", fmt.Sprintf("/persons/%d/case", blind.ID), nil, http.StatusOK, &kase)
	b.openDetails()
	b.run("assess",
		chromedp.Click(chromedp.ID(`#need_health`)),
		chromedp.SendKeys(chromedp.ID(`#note_health`), "khám mắt"),
		chromedp.SendKeys(chromedp.ID(`#summary`), "Cần khám mắt và gậy dò đường."))
	b.submit(fmt.Sprintf("/cases/%d/assessments", kase.ID), `#event`)
	b.run("choose planning", chromedp.SetValue(chromedp.ID(`#event`), "plan"))
	b.submit(fmt.Sprintf("/cases/%d/events", kase.ID), `#goals`)
	b.openDetails()
	b.run("draft the plan",
		chromedp.SendKeys(chromedp.ID(`#goals`), "Đi lại an toàn trong xã"),
		chromedp.SetValue(chromedp.ID(`#area1`), "health"),
		chromedp.SendKeys(chromedp.ID(`#desc1`), "Cấp gậy dò đường"),
		chromedp.SendKeys(chromedp.ID(`#provider1`), "Hội Người mù huyện"))
	b.submit(fmt.Sprintf("/cases/%d/plans", kase.ID), fmt.Sprintf(`form[action$="/cases/%d/plan/submit"]`, kase.ID))
	b.check("person-plan-draft")
	b.submit(fmt.Sprintf("/cases/%d/plan/submit", kase.ID), `#h-case`)

	// The deaf user is written to, never called.
	b.run("the deaf user's page", chromedp.Navigate(fmt.Sprintf("%s/console/people/%d", s.base, deaf.ID)),
		chromedp.WaitVisible(chromedp.ID(`#sms`)),
		chromedp.SendKeys(chromedp.ID(`#sms`), "Chào chị Hoa, mai em ghé nhà lúc 9 giờ."))
	b.submit(fmt.Sprintf("/people/%d/sms", deaf.ID), `#sms`)
	s.waitMessage("the SMS written in the console", demoDeafPhone.E164(), regexp.MustCompile(`mai em ghe nha luc 9 gio`), dispatchSlack)
	b.check("person-deaf")
	b.submit("/sign-out", `#phone`)

	// The approver approves the plan from their queue.
	b.signIn(demoApproverPhone.E164(), "0901000105")
	b.run("the queue", chromedp.Navigate(s.base+"/console/plans"), chromedp.WaitVisible(chromedp.CSS(`form[action$="/plan/approve"]`)))
	b.check("plans")
	b.submit(fmt.Sprintf("/cases/%d/plan/approve", kase.ID), `main h1`)
	var plan struct{ Status string }
	s.api("GET", fmt.Sprintf("/cases/%d/plan", kase.ID), nil, http.StatusOK, &plan)
	require.Equal(t, "approved", plan.Status)

	b.run("the report", chromedp.Navigate(s.base+"/console/report"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	b.check("report")
	b.run("the report in English", chromedp.Navigate(s.base+"/console/report?lang=en"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	title := value(b, "read the title", chromedp.Text(chromedp.CSS(`main h1`)))
	require.Equal(t, "Commune report for the month", title)
	b.check("report-en")

	b.mu.Lock()
	defer b.mu.Unlock()
	require.Empty(t, b.errors, "no JavaScript or console error on any page")
}
