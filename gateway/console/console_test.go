package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway/console"
	"github.com/caseline/caseline/store"
	"github.com/caseline/caseline/store/storetest"
)

// start is the test clock's first reading: a Monday morning.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is one test's console over a real store on its own database; its World writes fixtures.
type env struct {
	*storetest.World
	t     testing.TB
	ctx   context.Context
	s     *store.Store
	clock *caretest.Clock
	srv   *httptest.Server
}

func setup(t testing.TB) *env {
	t.Helper()
	return setupWith(t, false)
}

func setupWith(t testing.TB, secure bool) *env {
	t.Helper()
	clock := caretest.NewClock(start)
	s := store.New(storetest.NewPool(t), clock)
	h, err := console.New(console.Deps{Store: s, Reminders: &storetest.Reminders{S: s}, Router: care.Routes{}, Clock: clock,
		Compose: flows.ComposeStaffSMS(care.Routes{}), News: flows.NewNews(care.Routes{}, time.UTC),
		Log: zerolog.New(zerolog.NewTestWriter(t)), Secure: secure})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{World: storetest.NewWorld(t, s), t: t, ctx: context.Background(), s: s, clock: clock, srv: srv}
}

// browser is one visitor with their own cookies.
type browser struct {
	e    *env
	c    *http.Client
	last string // the last page's body
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(e.t, err)
	return &browser{e: e, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf is the form token of the last page.
func (b *browser) csrf() string {
	m := csrfRe.FindStringSubmatch(b.last)
	require.NotNil(b.e.t, m, "the page has a form token:\n%s", b.last)
	return m[1]
}

func (b *browser) get(path string) int {
	b.e.t.Helper()
	resp, err := b.c.Get(b.e.srv.URL + path)
	require.NoError(b.e.t, err)
	return b.read(resp)
}

func (b *browser) read(resp *http.Response) int {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.e.t, err)
	b.last = string(body)
	return resp.StatusCode
}

// post sends a form with the last page's token (unless the form sets csrf itself).
func (b *browser) post(path string, form url.Values) int {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf())
	}
	resp, err := b.c.PostForm(b.e.srv.URL+path, form)
	require.NoError(b.e.t, err)
	return b.read(resp)
}

// code is the sign-in code of the last SMS queued to phone.
func (e *env) code(phone care.Phone) string {
	e.t.Helper()
	var body string
	err := e.s.Pool().QueryRow(e.ctx, `
		SELECT body FROM message WHERE phone = $1 AND direction = 'out' ORDER BY id DESC LIMIT 1`, phone.E164()).Scan(&body)
	require.NoError(e.t, err, "a code was queued to %s", phone)
	m := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(body)
	require.NotNil(e.t, m, body)
	return m[1]
}

func (e *env) messagesTo(phone care.Phone) int {
	var n int
	require.NoError(e.t, e.s.Pool().QueryRow(e.ctx, `SELECT count(*) FROM message WHERE phone = $1`, phone.E164()).Scan(&n))
	return n
}

// askCode opens the sign-in page on a new browser and asks for a code for m's phone.
func (e *env) askCode(m *care.CaseManager) *browser {
	e.t.Helper()
	b := e.browser()
	require.Equal(e.t, http.StatusOK, b.get("/console/sign-in"))
	require.Equal(e.t, http.StatusOK, b.post("/console/sign-in", url.Values{"phone": {m.Phone.E164()}}))
	return b
}

// enterCode posts code as m's sign-in code and returns the status.
func (b *browser) enterCode(m *care.CaseManager, code string) int {
	b.e.t.Helper()
	return b.post("/console/sign-in/code", url.Values{"phone": {m.Phone.E164()}, "code": {code}})
}

// signIn signs m in on a new browser and returns it on the inbox.
func (e *env) signIn(m *care.CaseManager) *browser {
	e.t.Helper()
	b := e.askCode(m)
	require.Equal(e.t, http.StatusOK, b.enterCode(m, e.code(m.Phone)))
	require.Contains(e.t, b.last, m.Name, "the inbox names who is signed in")
	return b
}

// commune makes commune A, a case manager of it and a person there: where most tests begin.
func (e *env) commune() (care.CommuneCode, *care.CaseManager, *care.Person) {
	e.t.Helper()
	a := e.Commune("A")
	return a, e.Staff(a, care.RoleCaseManager, 0), e.Person(a)
}

// audits returns the actions of the audit log by actor (0: all), oldest first.
func (e *env) audits(actor care.ManagerID) []string {
	e.t.Helper()
	return e.Strings(`
		SELECT action || COALESCE(' ' || (detail->>'outcome'), '') FROM audit_log
		WHERE $1 = 0 OR actor_id = $1 ORDER BY id`, int64(actor))
}

func TestSignInWithTheCodeFromTheSMS(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := e.Staff(e.Commune("A"), care.RoleCaseManager, 0)
	b := e.signIn(m)
	require.Contains(t, b.last, "Hộp việc", "Vietnamese by default")
	require.Equal(t, []string{"console.code sent", "console.sign_in ok"}, e.audits(m.ID))

	var body, status string
	require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT body, status FROM message WHERE phone = $1`, m.Phone.E164()).Scan(&body, &status))
	require.Equal(t, "queued", status, "the code goes through the normal outbound path: the workers send it")
	require.NotRegexp(t, `[^\x00-\x7f]`, body, "the SMS is sent without diacritics")

	// The code is spent: using it again fails.
	b2 := e.browser()
	b2.get("/console/sign-in")
	require.Equal(t, http.StatusForbidden, b2.post("/console/sign-in/code", url.Values{"phone": {m.Phone.E164()}, "code": {e.code(m.Phone)}}))

	// Sign-out ends the session: the inbox asks to sign in again.
	b.get("/console/")
	require.Equal(t, http.StatusOK, b.post("/console/sign-out", nil))
	require.Contains(t, b.last, `action="/console/sign-in"`)
	b.get("/console/")
	require.Contains(t, b.last, `action="/console/sign-in"`)
	require.Contains(t, e.audits(m.ID), "console.sign_out")
}

func TestSessionCookieFlagsAndIdleExpiry(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		e := setupWith(t, secure)
		m := e.Staff(e.Commune("A"), care.RoleCaseManager, 0)
		b := e.askCode(m)
		form := url.Values{"phone": {m.Phone.E164()}, "code": {e.code(m.Phone)}, "csrf": {b.csrf()}}
		noFollow := &http.Client{Jar: b.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.PostForm(e.srv.URL+"/console/sign-in/code", form)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "cl_session" {
				session = c
			}
		}
		require.NotNil(t, session)
		require.True(t, session.HttpOnly)
		require.Equal(t, secure, session.Secure)
		require.Equal(t, http.SameSiteLaxMode, session.SameSite)
		var stored int
		require.NoError(t, e.s.Pool().QueryRow(e.ctx, `SELECT count(*) FROM console_session WHERE hash = $1`, session.Value).Scan(&stored))
		require.Zero(t, stored, "the session id is stored only hashed")

		// Used within 8 hours it lives on; left for 8 hours it ends.
		e.clock.Advance(7 * time.Hour)
		b.get("/console/")
		require.Contains(t, b.last, m.Name)
		e.clock.Advance(7 * time.Hour)
		b.get("/console/")
		require.Contains(t, b.last, m.Name)
		e.clock.Advance(care.SessionIdle + time.Minute)
		b.get("/console/")
		require.NotContains(t, b.last, m.Name)
		require.Contains(t, b.last, `action="/console/sign-in"`)
	}
}

func TestWrongCodesLockTheNumber(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := e.Staff(e.Commune("A"), care.RoleCaseManager, 0)
	b := e.askCode(m)
	good := e.code(m.Phone)
	bad := fmt.Sprintf("%06d", (func() int { var n int; fmt.Sscan(good, &n); return (n + 1) % 1_000_000 })())
	for i := 1; i <= 4; i++ {
		require.Equal(t, http.StatusForbidden, b.enterCode(m, bad))
		require.Contains(t, b.last, "Mã không đúng")
	}
	require.Equal(t, http.StatusForbidden, b.enterCode(m, bad))
	require.Contains(t, b.last, "khóa 15 phút", "the fifth wrong code locks the number")
	// Locked: even the right code does nothing, and no new code is sent.
	require.Equal(t, http.StatusForbidden, b.enterCode(m, good))
	require.Contains(t, b.last, "khóa 15 phút")
	sent := e.messagesTo(m.Phone)
	b.post("/console/sign-in", url.Values{"phone": {m.Phone.E164()}})
	require.Contains(t, b.last, "khóa 15 phút")
	require.Equal(t, sent, e.messagesTo(m.Phone))

	// After 15 minutes a new code works; the old one was spent by the lock.
	e.clock.Advance(care.SignInLock + time.Second)
	require.Equal(t, http.StatusForbidden, b.enterCode(m, good))
	b.post("/console/sign-in", url.Values{"phone": {m.Phone.E164()}})
	require.Equal(t, http.StatusOK, b.enterCode(m, e.code(m.Phone)))
	require.Contains(t, b.last, m.Name)

	got := e.audits(m.ID)
	require.Equal(t, []string{"console.code sent",
		"console.sign_in wrong_code", "console.sign_in wrong_code", "console.sign_in wrong_code", "console.sign_in wrong_code",
		"console.sign_in locked", "console.sign_in locked", "console.code locked",
		"console.sign_in wrong_code", "console.code sent", "console.sign_in ok"}, got, "every try is audited")
}

func TestCodeExpiresAfterTenMinutes(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := e.Staff(e.Commune("A"), care.RoleCaseManager, 0)
	b := e.askCode(m)
	e.clock.Advance(care.SignInCodeLife + time.Second)
	require.Equal(t, http.StatusForbidden, b.enterCode(m, e.code(m.Phone)))
	require.Contains(t, e.audits(m.ID), "console.sign_in expired")
}

func TestUnknownNumberIsAnsweredLikeStaff(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := e.Staff(e.Commune("A"), care.RoleCaseManager, 0)
	stranger := e.Phone()
	answer := func(p care.Phone) (int, string) {
		b := e.browser()
		b.get("/console/sign-in")
		status := b.post("/console/sign-in", url.Values{"phone": {p.E164()}})
		page := csrfRe.ReplaceAllString(b.last, "")
		return status, strings.ReplaceAll(page, "&#43;"+p.E164()[1:], "NUMBER")
	}
	s1, p1 := answer(m.Phone)
	s2, p2 := answer(stranger)
	require.Equal(t, s1, s2)
	require.Equal(t, p1, p2, "the page does not tell staff from strangers")
	require.Zero(t, e.messagesTo(stranger), "nothing is sent to a number that is not staff")
	require.Equal(t, []string{"console.code sent", "console.code not_staff"}, e.audits(0))
}

func TestPostsWithoutTheFormTokenAre403(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, m, p := e.commune()
	es := e.Escalation(p, e.OpenCase(p, m), true)
	b := e.signIn(m)
	for _, form := range []url.Values{{"csrf": {""}}, {"csrf": {strings.Repeat("0", 64)}}, {"csrf": nil}} {
		require.Equal(t, http.StatusForbidden, b.post(fmt.Sprintf("/console/escalations/%d/acknowledge", es.ID), form))
	}
	got, err := e.s.Escalation(e.ctx, es.ID)
	require.NoError(t, err)
	require.Equal(t, care.EscalationOpen, got.Status, "nothing changed")

	// A token of another session is no good either.
	other := e.signIn(e.Staff(a, care.RoleCaseManager, 0))
	require.Equal(t, http.StatusForbidden, b.post(fmt.Sprintf("/console/escalations/%d/acknowledge", es.ID), url.Values{"csrf": {other.csrf()}}))
	// Nor may a sign-in form come without its token.
	fresh := e.browser()
	fresh.get("/console/sign-in")
	require.Equal(t, http.StatusForbidden, fresh.post("/console/sign-in", url.Values{"phone": {m.Phone.E164()}, "csrf": {""}}))
	// Signed out, a POST is refused, and a page sends to the sign-in.
	require.Equal(t, http.StatusForbidden, fresh.post(fmt.Sprintf("/console/escalations/%d/acknowledge", es.ID), url.Values{"csrf": {"x"}}))
}

func TestAnotherCommunesRecordsAre404(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, bc := e.Commune("A"), e.Commune("B")
	m := e.Staff(a, care.RoleCaseManager, 0)
	mb := e.Staff(bc, care.RoleCaseManager, 0)
	theirs := e.Person(bc)
	theirCase := e.OpenCase(theirs, mb)
	es := e.Escalation(theirs, theirCase, true)
	appt := &care.Appointment{CaseID: theirCase.ID, PersonID: theirs.ID, At: start.Add(48 * time.Hour), Place: "Trạm y tế"}
	require.NoError(t, e.s.CreateAppointment(e.ctx, appt))
	b := e.signIn(m)
	csrf := b.csrf()
	require.Equal(t, http.StatusNotFound, b.get(fmt.Sprintf("/console/people/%d", theirs.ID)))
	require.Equal(t, http.StatusNotFound, b.get("/console/people/999999"), "the same answer as no such person")
	b.get("/console/people?q=" + url.QueryEscape("Nguyễn"))
	require.NotContains(t, b.last, fmt.Sprintf("/console/people/%d", theirs.ID))
	b.get("/console/")
	require.NotContains(t, b.last, fmt.Sprintf("/console/escalations/%d/", es.ID))
	for _, path := range []string{
		fmt.Sprintf("/console/escalations/%d/acknowledge", es.ID),
		fmt.Sprintf("/console/people/%d/cases", theirs.ID),
		fmt.Sprintf("/console/cases/%d/events", theirCase.ID),
		fmt.Sprintf("/console/cases/%d/assessments", theirCase.ID),
		fmt.Sprintf("/console/appointments/%d/cancel", appt.ID),
	} {
		require.Equal(t, http.StatusNotFound, b.post(path, url.Values{"csrf": {csrf}, "event": {"plan"}, "need_health": {"1"}, "priority_health": {"2"}}), path)
	}
	require.Empty(t, e.audits(0)[2:], "nothing written beyond the sign-in")
}

func TestEveryWriteIsAudited(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, m, p := e.commune()
	approver := e.Staff(a, care.RoleApprover, 0)
	other := e.Person(a)
	c := e.OpenCase(other, m)
	es1 := e.Escalation(other, c, true)
	es2 := e.Escalation(other, c, false)
	b := e.signIn(m)
	csrf := b.csrf()
	form := func(kv ...string) url.Values {
		v := url.Values{"csrf": {csrf}}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	caseOf := func() care.CaseID {
		got, err := e.s.OpenCaseOf(e.ctx, p.ID)
		require.NoError(t, err)
		return got.ID
	}
	apptOf := func() care.AppointmentID {
		as, err := e.s.PersonAppointments(e.ctx, p.ID)
		require.NoError(t, err)
		require.NotEmpty(t, as)
		return as[0].ID
	}
	tomorrow := start.Add(24 * time.Hour).Format("2006-01-02")
	steps := []struct {
		path   func() string
		form   url.Values
		action string
	}{
		{func() string { return fmt.Sprintf("/console/escalations/%d/acknowledge", es1.ID) }, form(), care.AuditEscalationAck},
		{func() string { return fmt.Sprintf("/console/escalations/%d/resolve", es2.ID) }, form("outcome", "Đã gọi lại, ổn"), care.AuditEscalationResolve},
		{func() string { return fmt.Sprintf("/console/people/%d/cases", p.ID) }, form(), care.AuditCaseOpen},
		{func() string { return fmt.Sprintf("/console/cases/%d/assessments", caseOf()) },
			form("need_health", "1", "priority_health", "3", "note_health", "máy trợ thính", "summary", "Cần khám"), care.AuditAssessmentRecord},
		{func() string { return fmt.Sprintf("/console/cases/%d/events", caseOf()) }, form("event", "plan"), care.AuditCaseMove},
		{func() string { return fmt.Sprintf("/console/cases/%d/plans", caseOf()) },
			form("goals", "Nghe rõ hơn\nCó việc làm", "area1", "health", "desc1", "Cấp máy trợ thính", "provider1", "Trung tâm PHCN", "due1", "2026-04-01"), care.AuditPlanCreate},
		{func() string { return fmt.Sprintf("/console/cases/%d/plan/submit", caseOf()) }, form(), care.AuditPlanSubmit},
		{func() string { return fmt.Sprintf("/console/cases/%d/appointments", caseOf()) },
			form("date", tomorrow, "time", "09:30", "place", "Trạm y tế xã", "purpose", "Khám"), care.AuditAppointmentCreate},
		{func() string { return fmt.Sprintf("/console/appointments/%d/move", apptOf()) },
			form("date", tomorrow, "time", "14:00", "place", ""), care.AuditAppointmentMove},
		{func() string { return fmt.Sprintf("/console/appointments/%d/cancel", apptOf()) }, form(), care.AuditAppointmentCancel},
		{func() string { return fmt.Sprintf("/console/people/%d/sms", p.ID) }, form("body", "Chào anh, mai chị ghé nhà.", "key", "k1"), care.AuditMessageSend},
	}
	for _, s := range steps {
		before := len(e.audits(m.ID))
		path := s.path()
		require.Equal(t, http.StatusOK, b.post(path, s.form), "%s: %s", path, b.last)
		got := e.audits(m.ID)
		require.Len(t, got, before+1, path)
		require.Equal(t, s.action, got[len(got)-1], path)
	}
	// The case manager may not approve; the approver may, from the queue.
	approve := fmt.Sprintf("/console/cases/%d/plan/approve", caseOf())
	require.Equal(t, http.StatusForbidden, b.post(approve, form()))
	ab := e.signIn(approver)
	require.Equal(t, http.StatusOK, ab.get("/console/plans"))
	require.Contains(t, ab.last, p.Name)
	require.Equal(t, http.StatusOK, ab.post(approve, url.Values{"back": {"queue"}}))
	require.Contains(t, e.audits(approver.ID), care.AuditPlanApprove)
	require.Contains(t, ab.last, "Không có kế hoạch nào chờ duyệt")
	plan, err := e.s.CurrentPlan(e.ctx, caseOf())
	require.NoError(t, err)
	require.Equal(t, care.PlanApproved, plan.Status)

	// Closing and transferring are audited too.
	other2 := e.Person(a)
	c2 := e.OpenCase(other2, m)
	b.get(fmt.Sprintf("/console/people/%d", other2.ID))
	require.Equal(t, http.StatusOK, b.post(fmt.Sprintf("/console/cases/%d/close", c2.ID), form("reason", "declined")))
	require.Equal(t, care.AuditCaseClose, e.audits(m.ID)[len(e.audits(m.ID))-1])
	e.Commune("B")
	e.Staff("B", care.RoleCaseManager, 0)
	require.Equal(t, http.StatusOK, b.post(fmt.Sprintf("/console/cases/%d/transfer", caseOf()), form("commune", "B", "note", "chuyển nhà")))
	require.Equal(t, care.AuditCaseTransfer, e.audits(m.ID)[len(e.audits(m.ID))-1])
	require.Equal(t, http.StatusNotFound, b.get(fmt.Sprintf("/console/people/%d", p.ID)), "transferred: now another commune's")
}

func TestApproverReturnsAPlanWithAReason(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, m, p := e.commune()
	approver := e.Staff(a, care.RoleApprover, 0)
	c := e.OpenCase(p, m)
	require.NoError(t, e.s.CreatePlan(e.ctx, &care.SupportPlan{CaseID: c.ID, CreatedBy: m.ID, Status: care.PlanDraft, Goals: []string{"Đi học lại"}}))
	b := e.signIn(m)
	b.get(fmt.Sprintf("/console/people/%d", p.ID))
	require.Equal(t, http.StatusOK, b.post(fmt.Sprintf("/console/cases/%d/plan/submit", c.ID), nil))
	require.Contains(t, b.last, "Đã gửi, chờ duyệt")

	ab := e.signIn(approver)
	ab.get("/console/plans")
	require.Equal(t, http.StatusBadRequest, ab.post(fmt.Sprintf("/console/cases/%d/plan/return", c.ID), url.Values{"back": {"queue"}}), "a reason is needed")
	ab.get("/console/plans")
	require.Equal(t, http.StatusOK, ab.post(fmt.Sprintf("/console/cases/%d/plan/return", c.ID), url.Values{"reason": {"Thiếu ngày hẹn"}, "back": {"queue"}}))
	require.Contains(t, e.audits(approver.ID), care.AuditPlanReturn)

	b.get(fmt.Sprintf("/console/people/%d", p.ID))
	require.Contains(t, b.last, "Bị trả lại, cần sửa")
	require.Contains(t, b.last, "Thiếu ngày hẹn", "the case manager sees why")
	require.Contains(t, b.last, fmt.Sprintf(`action="/console/cases/%d/plan/submit"`, c.ID), "and may submit it again")
}

func TestPeopleWhoseReviewIsDue(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a := e.Commune("A")
	m := e.Staff(a, care.RoleCaseManager, 0)
	due, later, overdue := e.Person(a), e.Person(a), e.Person(a)
	for p, at := range map[*care.Person]time.Time{due: start.Add(3 * 24 * time.Hour), later: start.Add(30 * 24 * time.Hour), overdue: start.Add(-24 * time.Hour)} {
		c := e.OpenCase(p, m)
		_, err := e.s.Pool().Exec(e.ctx, `UPDATE care_case SET step = 'monitoring', next_review_at = $2 WHERE id = $1`, int64(c.ID), at)
		require.NoError(t, err)
	}
	b := e.signIn(m)
	link := func(p *care.Person) string { return fmt.Sprintf(`/console/people/%d"`, p.ID) }
	b.get("/console/people?review=due")
	require.Contains(t, b.last, link(due))
	require.Contains(t, b.last, link(overdue))
	require.NotContains(t, b.last, link(later))
	b.get("/console/people?review=overdue")
	require.Contains(t, b.last, link(overdue))
	require.NotContains(t, b.last, link(due))
	require.Equal(t, http.StatusBadRequest, b.get("/console/people?review=soon"))
}

func TestInboxPutsSafetyFirstAndShowsTheDeadline(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, m, p := e.commune()
	c := e.OpenCase(p, m)
	normal := e.Escalation(p, c, false)
	due := start.Add(20 * time.Minute)
	_, err := e.s.Pool().Exec(e.ctx, `UPDATE escalation SET next_level_at = $2, notified = true WHERE id = $1`, int64(normal.ID), due)
	require.NoError(t, err)
	h := &care.HelpRequest{PersonID: p.ID, Phone: p.Phone, Commune: a, Category: care.HelpAbuse, Description: "bị đánh",
		Channel: care.ChannelSMS, Status: care.HelpOpen}
	require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, h))
	safety := &care.Escalation{Reason: care.ReasonHelpRequest, Urgent: true, PersonID: p.ID, Commune: a, HelpRequestID: h.ID}
	require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, safety))
	b := e.signIn(m)
	iSafety := strings.Index(b.last, fmt.Sprintf("/console/escalations/%d/resolve", safety.ID))
	iNormal := strings.Index(b.last, fmt.Sprintf("/console/escalations/%d/resolve", normal.ID))
	require.Positive(t, iSafety)
	require.Less(t, iSafety, iNormal, "safety first")
	require.Contains(t, b.last, "còn 20 phút")
	require.Contains(t, b.last, "An toàn", "safety is said in words, not only by colour")
	e.clock.Advance(25 * time.Minute)
	b.get("/console/inbox/items")
	require.Contains(t, b.last, "quá hạn 5 phút")
	require.NotContains(t, b.last, "<html", "the refresh fetches the list alone")
}

func TestPagesSendCSPAndNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, m, p := e.commune()
	e.OpenCase(p, m)
	b := e.signIn(m)
	for _, path := range []string{"/console/", "/console/people", fmt.Sprintf("/console/people/%d", p.ID), "/console/plans", "/console/report", "/console/report?lang=en", "/console/sign-in"} {
		resp, err := b.c.Get(e.srv.URL + path)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, b.read(resp), path)
		csp := resp.Header.Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'self'", path)
		require.NotContains(t, csp, "unsafe-inline", path)
		require.NotRegexp(t, `<script(?:\s[^>]*)?>\s*[^<\s]`, b.last, "%s has inline script", path)
		require.NotRegexp(t, `\sstyle=|<style|\son[a-z]+=`, b.last, "%s has inline style or handlers", path)
		require.NotRegexp(t, `\?[a-z]+\.[a-z_]+`, b.last, "%s shows a label missing from the catalog", path)
	}
}

func TestSendSMSIsSentOnceAndNeverRevealsAReport(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, m, p := e.commune()
	b := e.signIn(m)
	require.Equal(t, http.StatusOK, b.get(fmt.Sprintf("/console/people/%d", p.ID)))
	key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(b.last)
	require.NotNil(t, key)
	form := url.Values{"body": {"Chào chị, mai em ghé nhà."}, "key": {key[1]}, "csrf": {b.csrf()}}
	require.Equal(t, http.StatusOK, b.post(fmt.Sprintf("/console/people/%d/sms", p.ID), form))
	require.Equal(t, http.StatusOK, b.post(fmt.Sprintf("/console/people/%d/sms", p.ID), form), "sent twice")
	require.Equal(t, 1, e.messagesTo(p.Phone), "a double click sends one SMS")
	require.Contains(t, b.last, "Chao chi, mai em ghe nha.", "the thread shows it, as sent: without diacritics")

	form.Set("body", "Về báo cáo bạo lực của chị")
	form.Set("key", "another")
	require.Equal(t, http.StatusBadRequest, b.post(fmt.Sprintf("/console/people/%d/sms", p.ID), form))
	require.Equal(t, 1, e.messagesTo(p.Phone), "nothing that reveals a report reaches the phone")
}

func TestSupervisorSeesTheTeamsCommunes(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, bc, c := e.Commune("A"), e.Commune("B"), e.Commune("C")
	super := e.Staff(a, care.RoleSupervisor, 0)
	e.Staff(bc, care.RoleCaseManager, super.ID, func(m *care.CaseManager) { m.Name = "Anh Đức" })
	inB, inC := e.Person(bc), e.Person(c)
	b := e.signIn(super)
	require.Equal(t, http.StatusOK, b.get(fmt.Sprintf("/console/people/%d", inB.ID)), "a commune of their team")
	require.Equal(t, http.StatusNotFound, b.get(fmt.Sprintf("/console/people/%d", inC.ID)), "a commune outside it")
	b.get("/console/people?q=" + url.QueryEscape(strings.TrimPrefix(inB.Phone.E164(), "+84")))
	require.Contains(t, b.last, fmt.Sprintf("/console/people/%d", inB.ID), "found by the number as typed locally")
	b.get("/console/people?q=0" + url.QueryEscape(strings.TrimPrefix(inB.Phone.E164(), "+84")))
	require.Contains(t, b.last, fmt.Sprintf("/console/people/%d", inB.ID), "found by the number with its leading 0")
	b.get("/console/people?q=" + url.QueryEscape("+84"+strings.TrimPrefix(inB.Phone.E164(), "+84")))
	require.Contains(t, b.last, fmt.Sprintf("/console/people/%d", inB.ID), "found by the number with its country code")
	b.get("/console/people?q=" + url.QueryEscape("NGUYEN van"))
	require.Contains(t, b.last, fmt.Sprintf("/console/people/%d", inB.ID), "found by the name without diacritics, as the API finds people")
}

func TestReportCountsTheMonth(t *testing.T) {
	t.Parallel()
	e := setup(t)
	a, bc := e.Commune("A"), e.Commune("B")
	m := e.Staff(a, care.RoleCaseManager, 0)
	mb := e.Staff(bc, care.RoleCaseManager, 0)
	pool := e.s.Pool()
	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := pool.Exec(e.ctx, sql, args...)
		require.NoError(t, err, sql)
	}
	// March 2026 (the clock's month): three cases opened in A, one of them closed; one
	// opened in February; one in B, which A's report never counts.
	ps := []*care.Person{e.Person(a), e.Person(a), e.Person(a), e.Person(a)}
	for i, p := range ps[:3] {
		c := e.OpenCase(p, m)
		exec(`UPDATE care_case SET opened_at = $2 WHERE id = $1`, int64(c.ID), start.Add(time.Duration(i)*time.Hour))
	}
	old := e.OpenCase(ps[3], m)
	exec(`UPDATE care_case SET opened_at = $2, step = 'monitoring' WHERE id = $1`, int64(old.ID), start.AddDate(0, -1, 0))
	first, err := e.s.OpenCaseOf(e.ctx, ps[0].ID)
	require.NoError(t, err)
	exec(`UPDATE care_case SET step = 'closed', closed_at = $2, close_reason = 'goals_met' WHERE id = $1`, int64(first.ID), start.Add(48*time.Hour))
	e.OpenCase(e.Person(bc), mb)
	// Help: two health, one abuse in A this month; one in B.
	help := func(commune care.CommuneCode, cat care.HelpCategory) {
		require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, &care.HelpRequest{Phone: e.Phone(), Commune: commune,
			Category: cat, Channel: care.ChannelSMS}))
	}
	for _, cat := range []care.HelpCategory{care.HelpHealth, care.HelpHealth, care.HelpAbuse} {
		help(a, cat)
	}
	help(bc, care.HelpMoney)
	// Escalations: an urgent one acknowledged in 10 minutes (in time), one acknowledged in
	// 20 (late), a normal one resolved in 2 hours (in time), one never taken.
	for _, esc := range []struct {
		urgent bool
		ack    *time.Duration
	}{{true, ptr(10 * time.Minute)}, {true, ptr(20 * time.Minute)}, {false, ptr(2 * time.Hour)}, {false, nil}} {
		es := &care.Escalation{Reason: care.ReasonNeedHelp, Urgent: esc.urgent, Commune: a}
		if esc.ack != nil {
			at := start.Add(*esc.ack)
			es.Status, es.AckedBy, es.AckedAt = care.EscalationAcknowledged, m.ID, &at
		}
		require.NoError(t, storetest.CreateEscalation(e.ctx, e.s, es))
	}
	// Check-ins: two answered, one missed, one still open (not counted).
	sched := e.Schedule(old, time.Monday, 9*60)
	for i, st := range []care.CheckInStatus{care.CheckInFine, care.CheckInNeedHelp, care.CheckInMissed, care.CheckInSent} {
		due := start.Add(time.Duration(i) * 24 * time.Hour)
		require.NoError(t, storetest.CreateCheckIn(e.ctx, e.s, &care.CheckIn{ScheduleID: sched.ID, CaseID: old.ID,
			PersonID: ps[3].ID, DueAt: due, RetryAt: due, DeadlineAt: due, Status: st}))
	}
	// USSD: two sessions of A's people left at the category screen, one finished. Written
	// as they end, with the flow and state the store would take from sessions long gone.
	for i, st := range []string{"Incomplete", "Incomplete", "Success"} {
		exec(`INSERT INTO ussd_session_end (session_id, phone, status, hops, duration_ms, flow, state, ended_at)
			VALUES ($1, $2, $3, 2, 5000, 'help', 'category', $4)`, fmt.Sprint("s", i), ps[i].Phone.E164(), st, start)
	}

	b := e.signIn(m)
	csvOf := func(table string) string {
		t.Helper()
		require.Equal(t, http.StatusOK, b.get("/console/report.csv?month=2026-03&table="+table))
		return b.last
	}
	require.Equal(t, "Mục,Số lượng\nHồ sơ mới,3\nHồ sơ đã đóng,1\n", csvOf("cases"))
	require.Equal(t, "Mục,Số lượng\n1. Đánh giá nhu cầu,2\n2. Lập kế hoạch,0\n3. Thực hiện,0\n4. Theo dõi,1\n5. Đánh giá kết quả,0\n", csvOf("steps"))
	require.Equal(t, "Mục,Số lượng\nSức khỏe,2\n\"Bạo lực, xâm hại, phân biệt đối xử\",1\n", csvOf("help"))
	require.Equal(t, "Mục,Số lượng\nTổng số cảnh báo,4\nNhận trong thời hạn,2\n", csvOf("sla"))
	require.Equal(t, "Mục,Số lượng\nLượt hỏi thăm đã hết hạn trả lời,3\nĐã trả lời,2\n", csvOf("checkins"))
	require.Equal(t, "Mục,Số lượng\nhelp / category,2\n", csvOf("ussd"))
	require.Equal(t, http.StatusOK, b.get("/console/report?month=2026-03"))
	require.Contains(t, b.last, "2 trên 4 (50%)")
	require.Contains(t, b.last, `<svg class="chart"`)
	require.Equal(t, http.StatusBadRequest, b.get("/console/report?month=March"))
	require.Equal(t, http.StatusNotFound, b.get("/console/report.csv?month=2026-03&table=nothing"))
	require.Equal(t, "Mục,Số lượng\n", csvOf("voice"))
	b.get("/console/report.csv?month=2026-02&table=cases")
	require.Equal(t, "Mục,Số lượng\nHồ sơ mới,1\nHồ sơ đã đóng,0\n", b.last)
}

func ptr[T any](v T) *T { return &v }

func TestTheCaseOffersOnlyItsNextStepsAndClosingNeedsAReason(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, m, p := e.commune()
	c := e.OpenCase(p, m)
	_, err := e.s.Pool().Exec(e.ctx, `UPDATE care_case SET step = 'evaluation' WHERE id = $1`, int64(c.ID))
	require.NoError(t, err)
	b := e.signIn(m)
	b.get(fmt.Sprintf("/console/people/%d", p.ID))
	require.Contains(t, b.last, `<option value="reassess">`)
	require.NotContains(t, b.last, `<option value="plan">`, "only the moves a case at evaluation can make")
	require.NotContains(t, b.last, `<option value="close">`, "closing has its own form, with a reason")
	path := fmt.Sprintf("/console/cases/%d/close", c.ID)
	require.Equal(t, http.StatusBadRequest, b.post(path, url.Values{"reason": {"other"}, "csrf": {b.csrf()}}), "another reason needs a note")
	require.Contains(t, b.last, "Ghi chú")
	b.get(fmt.Sprintf("/console/people/%d", p.ID))
	require.Equal(t, http.StatusOK, b.post(path, url.Values{"reason": {"other"}, "note": {"Chuyển vào trung tâm bảo trợ"}}))
	require.Contains(t, b.last, "Mở lại hồ sơ", "closed: the page offers to reopen it")
	require.Contains(t, b.last, "Lý do khác")
	got, err := e.s.Case(e.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, care.CloseOther, got.CloseReason)

	require.Equal(t, http.StatusOK, b.post(fmt.Sprintf("/console/cases/%d/reopen", c.ID), nil))
	reopened, err := e.s.OpenCaseOf(e.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, c.ID, reopened.ReopenedFrom)
	require.Equal(t, care.AuditCaseReopen, e.audits(m.ID)[len(e.audits(m.ID))-1])
}

func TestStaffSeeTheWholeNumberToCall(t *testing.T) {
	t.Parallel()
	e := setup(t)
	_, m, p := e.commune()
	b := e.signIn(m)
	b.get(fmt.Sprintf("/console/people/%d", p.ID))
	number := strings.Replace(p.Phone.E164(), "+", "&#43;", 1) // as html/template writes it
	require.Contains(t, b.last, `href="tel:`+number+`">`+number+`</a>`, "logs mask numbers; the page for staff in scope does not")
	b.get("/console/people")
	require.Contains(t, b.last, number)
}
