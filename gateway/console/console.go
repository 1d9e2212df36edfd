package console

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

// Cookie names. The session cookie holds the session id; pre holds a random value that
// forms carry a token of before anyone signed in (the sign-in forms).
const (
	sessionCookie = "cl_session"
	preCookie     = "cl_pre"
	csrfField     = "csrf"
)

// csp allows scripts, styles and images only from the console itself: no inline script or
// style, no framing, forms posting only here.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the console needs; all but Log, Secure, Location and SLA are required.
type Deps struct {
	Store     care.ConsoleStore
	Reminders care.Reminders
	// Router picks the provider that carries the sign-in code's SMS.
	Router care.Router
	// Compose makes what staff write to a person into its SMS (flows.ComposeStaffSMS).
	Compose care.SMSComposer
	// News words what closing, transferring and a plan's approval tell people and staff
	// (flows.NewNews; the same the API uses).
	News  care.Announcer
	Clock care.Clock
	Log   zerolog.Logger
	// Secure marks cookies Secure: PUBLIC_BASE_URL is https.
	Secure bool
	// Location shows times as the commune reads them; nil is UTC.
	Location *time.Location
	// SLA is the escalation deadlines the report measures against; zero is care.DefaultSLA.
	SLA care.SLA
}

// handler serves the console.
type handler struct {
	Deps
	pages map[string]*template.Template
}

// request is what a page's handler gets: the staff member (nil on the sign-in pages), the
// words of their language and the form token.
type request struct {
	staff   *care.Staff
	L       catalog
	csrf    string
	session string // the session id's hash, "" when signed out
}

// serveFunc is one route's work; an error is answered by fail.
type serveFunc func(w http.ResponseWriter, r *http.Request, q *request) error

// New returns the console's handler, serving everything under Prefix, or a wiring error
// when a required dependency is missing.
func New(d Deps) (http.Handler, error) {
	if d.Store == nil || d.Reminders == nil || d.Router == nil || d.Compose == nil || d.News == nil || d.Clock == nil {
		return nil, care.Wiring("console handler", "Store, Reminders, Router, Compose, News and Clock are required")
	}
	if d.Location == nil {
		d.Location = time.UTC
	}
	if d.SLA == (care.SLA{}) {
		d.SLA = care.DefaultSLA
	}
	h := &handler{Deps: d, pages: parsePages()}
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		mux.Handle(rt.pattern, h.wrap(rt))
	}
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", staticFiles(http.FileServerFS(static))))
	return mux, nil
}

// route is one page or form action.
type route struct {
	pattern string
	serve   serveFunc
	public  bool // served without a session (the sign-in pages)
}

// routes lists every route of the console.
func (h *handler) routes() []route {
	return []route{
		{pattern: "GET /console/sign-in", serve: h.signInPage, public: true},
		{pattern: "POST /console/sign-in", serve: h.requestCode, public: true},
		{pattern: "POST /console/sign-in/code", serve: h.signIn, public: true},
		{pattern: "POST /console/sign-out", serve: h.signOut},

		{pattern: "GET /console/{$}", serve: h.inbox},
		{pattern: "GET /console/inbox/items", serve: h.inboxItems},
		{pattern: "POST /console/escalations/{id}/acknowledge", serve: h.acknowledge},
		{pattern: "POST /console/escalations/{id}/resolve", serve: h.resolve},

		{pattern: "GET /console/people", serve: h.people},
		{pattern: "GET /console/people/{id}", serve: h.person},
		{pattern: "POST /console/people/{id}/cases", serve: h.openCase},
		{pattern: "POST /console/people/{id}/sms", serve: h.sendSMS},
		{pattern: "POST /console/cases/{id}/events", serve: h.onCase(h.moveCase)},
		{pattern: "POST /console/cases/{id}/assessments", serve: h.onCase(h.recordAssessment)},
		{pattern: "POST /console/cases/{id}/plans", serve: h.onCase(h.draftPlan)},
		{pattern: "POST /console/cases/{id}/plan/submit", serve: h.submitPlan},
		{pattern: "POST /console/cases/{id}/plan/approve", serve: h.approvePlan},
		{pattern: "POST /console/cases/{id}/plan/return", serve: h.returnPlan},
		{pattern: "POST /console/cases/{id}/close", serve: h.onCase(h.closeCase)},
		{pattern: "POST /console/cases/{id}/reopen", serve: h.onCase(h.reopenCase)},
		{pattern: "POST /console/cases/{id}/transfer", serve: h.transferCase},
		{pattern: "POST /console/cases/{id}/reviews", serve: h.onCase(h.reviewCase)},
		{pattern: "POST /console/cases/{id}/appointments", serve: h.onCase(h.createAppointment)},
		{pattern: "POST /console/appointments/{id}/move", serve: h.moveAppointment},
		{pattern: "POST /console/appointments/{id}/cancel", serve: h.cancelAppointment},

		{pattern: "GET /console/plans", serve: h.planQueue},

		{pattern: "GET /console/report", serve: h.report},
		{pattern: "GET /console/report.csv", serve: h.reportCSV},
	}
}

// staticFiles serves the embedded files with a day's caching: they change only with a
// release.
func staticFiles(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// wrap gives a route its security headers, its staff member (or the sign-in page when
// there is none), its language and form token, the CSRF check of a POST, and the one
// place its error is answered.
func (h *handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		if l := care.Language(r.URL.Query().Get("lang")); r.Method == http.MethodGet && l.Valid() {
			// The language switch: a preference only, kept in a cookie for a year.
			h.setCookie(w, langCookie, string(l), 365*24*3600)
			u := *r.URL
			qs := u.Query()
			qs.Del("lang")
			u.RawQuery = qs.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		q := &request{}
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			hash := care.HashAPIToken(c.Value)
			st, err := h.Store.StaffBySession(r.Context(), hash)
			switch {
			case err == nil:
				q.staff, q.session, q.csrf = st, hash, care.SessionCSRF(c.Value)
			case care.ErrorCode(err) != care.EUNAUTHORIZED:
				h.fail(w, r, q, err)
				return
			}
		}
		q.L = catalog{lang: language(r, q.staff), loc: h.Location}
		if q.staff == nil {
			if !rt.public {
				if r.Method == http.MethodGet {
					http.Redirect(w, r, Prefix+"sign-in", http.StatusSeeOther)
				} else {
					h.fail(w, r, q, errForbidden)
				}
				return
			}
			q.csrf = h.preToken(w, r)
		}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil { // within the route's limit (gateway.LimitBody)
				h.fail(w, r, q, gateway.Unreadable(err, "the form could not be read"))
				return
			}
			if q.csrf == "" || !equalToken(r.PostForm.Get(csrfField), q.csrf) {
				h.fail(w, r, q, errForbidden)
				return
			}
			for _, vs := range r.PostForm {
				for _, v := range vs {
					if !care.TextOK(v) {
						h.fail(w, r, q, care.Errorf(care.EINVALID, "text must be valid UTF-8 without NUL characters"))
						return
					}
				}
			}
		}
		if err := rt.serve(w, r, q); err != nil {
			h.fail(w, r, q, err)
		}
	})
}

// errForbidden is a POST without a valid form token (or without a session).
var errForbidden = gateway.Refuse(http.StatusForbidden, gateway.CodeForbidden, "no valid form token")

// preToken returns the form token of a visitor not signed in, from a random value kept in
// a cookie (set here when missing), so the sign-in forms cannot be posted from elsewhere.
func (h *handler) preToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) == 64 {
		return care.SessionCSRF(c.Value)
	}
	v, _, err := care.NewSessionID()
	if err != nil {
		return ""
	}
	h.setCookie(w, preCookie, v, 0)
	return care.SessionCSRF(v)
}

// setCookie sets a console cookie: HttpOnly, SameSite=Lax (links into the console from
// an SMS still work; a cross-site POST carries no cookie), Secure behind https. maxAge 0
// is a cookie for the browser's session, < 0 deletes it.
func (h *handler) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: h.Secure, SameSite: http.SameSiteLaxMode})
}

func equalToken(a, b string) bool {
	return len(a) == len(b) && care.HashAPIToken(a) == care.HashAPIToken(b)
}

// fail answers err as a page with the status gateway.Answer gives it (the one map), in
// words for people chosen by that status; server failures are logged.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, q *request, err error) {
	status, body := gateway.Answer(err)
	if q.L.loc == nil {
		q.L = catalog{lang: language(r, q.staff), loc: h.Location}
	}
	var msg string
	switch status {
	case http.StatusBadRequest:
		msg = badInput(q.L, err)
	case http.StatusRequestEntityTooLarge:
		msg = q.L.F("err.400", body.Message)
	case http.StatusForbidden:
		msg = q.L.T("err.403")
		if care.ErrorCode(err) == care.EUNAUTHORIZED {
			msg = q.L.T("plan.mayapprove")
		}
	case http.StatusNotFound:
		msg = q.L.T("err.404")
	case http.StatusConflict:
		msg = q.L.T("err.409")
	default: // 500, 503, and what the console never meets (401, 405): "try again later"
		msg = q.L.T("err.500")
		h.logger(r).Error().Err(err).Int("status", status).Msg("console request failed")
	}
	if err := h.render(w, status, "error", q, struct{ Message string }{msg}); err != nil {
		gateway.Text(w, r, err)
	}
}

// view is what every page template gets: the request's words and staff member, the form
// token, and the page's own data.
type view struct {
	L     catalog
	Staff *care.Staff
	CSRF  string
	Page  string
	Data  any
}

// planArgs is what the plan partials get: the page's view and one plan.
type planArgs struct {
	V view
	P any
}

// render writes page with status; a page that cannot be rendered is an error, written
// nothing, for fail to answer.
func (h *handler) render(w http.ResponseWriter, status int, page string, q *request, data any) error {
	t := h.pages[page]
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", view{L: q.L, Staff: q.staff, CSRF: q.csrf, Page: page, Data: data}); err != nil {
		return fmt.Errorf("render console page %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
	return nil
}

// fragment writes one named template alone (the inbox's list, for its refresh).
func (h *handler) fragment(w http.ResponseWriter, page, name string, q *request, data any) error {
	var b strings.Builder
	if err := h.pages[page].ExecuteTemplate(&b, name, view{L: q.L, Staff: q.staff, CSRF: q.csrf, Page: page, Data: data}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(b.String()))
	return err
}

// parsePages parses each page with the layout and the shared parts. The templates are
// embedded, so a parse error is a programming error that every console test meets: it
// panics (template.Must) rather than being reported as wiring (care.WiringError).
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"div":   func(a, b int) int { return a / b },
		"mod":   func(a, b int) int { return a % b },
		"deref": func(t *time.Time) time.Time { return *t },
		// planOf hands a plan partial the page's view and the plan.
		"planOf": func(v view, p any) planArgs { return planArgs{V: v, P: p} },
		"percent": func(n, of int) int {
			if of == 0 {
				return 0
			}
			return n * 100 / of
		},
	}
	base := template.Must(template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages := map[string]*template.Template{}
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		name := strings.TrimSuffix(strings.TrimPrefix(e, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, e))
	}
	return pages
}

// seeOther sends the browser on to path after a write (post, redirect, get).
func seeOther(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// pathID reads the {id} of the path; anything but a positive number names no record.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, care.Errorf(care.ENOTFOUND, "not found")
	}
	return id, nil
}

// hidden is the answer for a record of a commune the staff member does not see: the same
// 404 as a record that does not exist.
func hidden() error { return care.Errorf(care.ENOTFOUND, "not found") }

// zlog is the request's logger (the gateway's middleware puts one in the context).
func zlog(r *http.Request) *zerolog.Logger { return zerolog.Ctx(r.Context()) }

// logger is the request's logger, or the console's when the request has none.
func (h *handler) logger(r *http.Request) *zerolog.Logger {
	if l := zerolog.Ctx(r.Context()); l.GetLevel() != zerolog.Disabled {
		return l
	}
	return &h.Log
}

// fieldLabels names, in the catalog, the form field a care field error is about.
var fieldLabels = map[string]string{
	"outcome": "inbox.outcome", "note": "person.note", "at": "appt.at", "place": "appt.place",
	"purpose": "appt.purpose", "text": "person.smstext", "body": "person.smstext", "goals": "plan.goals",
	"services": "plan.desc", "due": "plan.due", "needs": "person.assessment", "priority": "assess.priority",
	"summary": "assess.summary", "month": "report.month", "q": "people.search", "step": "people.step",
	"need": "people.need", "event": "person.move", "approver": "plan.approver",
}

// badInput words a refused input for people: which field, in their language; in English
// also the reason the domain gave (its messages are English).
func badInput(l catalog, err error) string {
	label, ok := fieldLabels[care.ErrorField(err)]
	if !ok {
		return l.F("err.400", care.ErrorMessage(err))
	}
	return l.F("err.400field", l.T(label), care.ErrorMessage(err))
}
