package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// Prefix is the path every route of the API starts with; mount NewHandler's handler there
// ("/api/v1/").
const Prefix = "/api/v1/"

// Deps are what the API needs; all are required.
type Deps struct {
	Store     care.APIStore
	Reminders care.Reminders
	// News words what closing, transferring and approving tell people and staff.
	News  care.Announcer
	Clock care.Clock
	Log   zerolog.Logger
	// Compose makes the SMS a staff member writes to a person (flows.ComposeStaffSMS).
	Compose care.SMSComposer
}

// handler serves the API; its methods are the routes.
type handler struct {
	store     care.APIStore
	reminders care.Reminders
	news      care.Announcer
	clock     care.Clock
	log       zerolog.Logger
	compose   care.SMSComposer
}

// endpoint is one route's work: it runs for an authenticated staff member and returns an
// error for fail to answer.
type endpoint func(w http.ResponseWriter, r *http.Request, st *care.Staff) error

// route is one registered route. Public routes need no token.
type route struct {
	method, path string
	serve        endpoint
	public       bool
}

// routes lists every route of the API: NewHandler registers exactly these, and a test
// checks the OpenAPI document against them.
func (h *handler) routes() []route {
	return []route{
		{method: "GET", path: "/api/v1/openapi.json", serve: h.openAPI, public: true},
		{method: "GET", path: "/api/v1/me", serve: h.me},

		{method: "GET", path: "/api/v1/persons", serve: h.listPersons},
		{method: "POST", path: "/api/v1/persons", serve: h.createPerson},
		{method: "GET", path: "/api/v1/persons/{id}", serve: h.getPerson},
		{method: "PATCH", path: "/api/v1/persons/{id}", serve: h.updatePerson},
		{method: "PUT", path: "/api/v1/persons/{id}/pin", serve: h.setPIN},
		{method: "DELETE", path: "/api/v1/persons/{id}/pin", serve: h.clearPIN},
		{method: "DELETE", path: "/api/v1/persons/{id}/pin/lock", serve: h.clearPINLock},
		{method: "GET", path: "/api/v1/persons/{id}/messages", serve: h.listMessages},
		{method: "POST", path: "/api/v1/persons/{id}/messages", serve: h.sendSMS},
		{method: "GET", path: "/api/v1/persons/{id}/checkins", serve: h.listPersonCheckIns},
		{method: "GET", path: "/api/v1/persons/{id}/case", serve: h.openCaseOf},
		{method: "POST", path: "/api/v1/persons/{id}/cases", serve: h.openCase},

		{method: "GET", path: "/api/v1/cases", serve: h.listCases},
		{method: "GET", path: "/api/v1/cases/{id}", serve: h.getCase},
		{method: "POST", path: "/api/v1/cases/{id}/events", serve: h.moveCase},
		{method: "POST", path: "/api/v1/cases/{id}/close", serve: h.closeCase},
		{method: "POST", path: "/api/v1/cases/{id}/reopen", serve: h.reopenCase},
		{method: "POST", path: "/api/v1/cases/{id}/transfer", serve: h.transferCase},
		{method: "POST", path: "/api/v1/cases/{id}/reviews", serve: h.reviewCase},
		{method: "GET", path: "/api/v1/cases/{id}/history", serve: h.caseHistory},
		{method: "POST", path: "/api/v1/cases/{id}/assessments", serve: h.recordAssessment},
		{method: "GET", path: "/api/v1/cases/{id}/assessments/latest", serve: h.latestAssessment},
		{method: "POST", path: "/api/v1/cases/{id}/plans", serve: h.createPlan},
		{method: "GET", path: "/api/v1/cases/{id}/plan", serve: h.currentPlan},
		{method: "GET", path: "/api/v1/cases/{id}/plan/revision", serve: h.pendingPlan},
		{method: "POST", path: "/api/v1/cases/{id}/plan/revision/submit", serve: h.submitPlan},
		{method: "POST", path: "/api/v1/cases/{id}/plan/revision/approve", serve: h.approvePlan},
		{method: "POST", path: "/api/v1/cases/{id}/plan/revision/return", serve: h.returnPlan},
		{method: "PATCH", path: "/api/v1/cases/{id}/plan/services/{service}", serve: h.updateService},
		{method: "POST", path: "/api/v1/cases/{id}/appointments", serve: h.createAppointment},
		{method: "POST", path: "/api/v1/cases/{id}/schedules", serve: h.createSchedule},
		{method: "GET", path: "/api/v1/cases/{id}/schedules", serve: h.listSchedules},
		{method: "GET", path: "/api/v1/cases/{id}/checkins", serve: h.listCaseCheckIns},
		{method: "POST", path: "/api/v1/cases/{id}/manager", serve: h.reassignCase},

		{method: "GET", path: "/api/v1/appointments/{id}", serve: h.getAppointment},
		{method: "POST", path: "/api/v1/appointments/{id}/move", serve: h.moveAppointment},
		{method: "POST", path: "/api/v1/appointments/{id}/cancel", serve: h.cancelAppointment},

		{method: "POST", path: "/api/v1/schedules/{id}/deactivate", serve: h.deactivateSchedule},

		{method: "GET", path: "/api/v1/help-requests", serve: h.listHelpRequests},
		{method: "GET", path: "/api/v1/help-requests/{id}", serve: h.getHelpRequest},
		{method: "POST", path: "/api/v1/help-requests/{id}/resolve", serve: h.resolveHelpRequest},

		{method: "GET", path: "/api/v1/escalations", serve: h.listEscalations},
		{method: "GET", path: "/api/v1/escalations/{id}", serve: h.getEscalation},
		{method: "POST", path: "/api/v1/escalations/{id}/acknowledge", serve: h.acknowledgeEscalation},
		{method: "POST", path: "/api/v1/escalations/{id}/resolve", serve: h.resolveEscalation},
	}
}

// NewHandler returns the API, serving the /api/v1/ subtree (mount it at Prefix), or a
// care.WiringError when a dependency is missing.
func NewHandler(deps Deps) (http.Handler, error) {
	if deps.Store == nil || deps.Reminders == nil || deps.News == nil || deps.Clock == nil || deps.Compose == nil {
		return nil, care.Wiring("api handler", "Store, Reminders, News, Clock and Compose are required")
	}
	h := &handler{store: deps.Store, reminders: deps.Reminders, news: deps.News, clock: deps.Clock, log: deps.Log,
		compose: deps.Compose}
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		mux.Handle(rt.method+" "+rt.path, h.serve(rt))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			h.unrouted(w, r, mux)
			return
		}
		mux.ServeHTTP(w, r)
	}), nil
}

// unrouted answers a request no route takes in JSON: 405 (with the mux's Allow header) when
// the path exists under another method, 404 otherwise.
func (h *handler) unrouted(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) {
	probe := &statusProbe{header: http.Header{}}
	mux.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		gateway.Error(w, r, gateway.MethodNotAllowed())
		return
	}
	gateway.Error(w, r, care.Errorf(care.ENOTFOUND, "no such resource"))
}

// statusProbe records what the mux would answer, writing nothing.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(status int)      { p.status = status }

// serve authenticates the request (unless the route is public) and runs the route.
func (h *handler) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if zerolog.Ctx(r.Context()).GetLevel() == zerolog.Disabled {
			// Mounted without the gateway's middleware (tests): failures still reach a log.
			r = r.WithContext(h.log.WithContext(r.Context()))
		}
		var st *care.Staff
		if !rt.public {
			var err error
			if st, err = h.authenticate(r); err != nil {
				if gateway.Status(err) == http.StatusUnauthorized {
					w.Header().Set("WWW-Authenticate", `Bearer realm="caseline"`)
				}
				gateway.Error(w, r, err)
				return
			}
		}
		if err := checkText(r); err != nil {
			gateway.Error(w, r, err)
			return
		}
		if err := rt.serve(w, r, st); err != nil {
			gateway.Error(w, r, err)
		}
	})
}

// authenticate finds the staff member of the request's bearer token.
func (h *handler) authenticate(r *http.Request) (*care.Staff, error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, gateway.Unauthenticated("a bearer token is required")
	}
	st, err := h.store.StaffByToken(r.Context(), strings.TrimSpace(token))
	if care.ErrorCode(err) == care.EUNAUTHORIZED {
		return nil, gateway.Unauthenticated("the token is invalid or revoked")
	}
	return st, err
}

// pathID reads the {id} of the path; an id that is not a positive number names no record.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, care.Errorf(care.ENOTFOUND, "not found")
	}
	return id, nil
}

// page reads ?limit= and ?cursor=.
func page(r *http.Request) (care.Page, error) {
	pg := care.Page{Limit: care.DefaultPageLimit, Cursor: r.URL.Query().Get("cursor")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > care.MaxPageLimit {
			return pg, care.FieldError("limit", "limit must be 1 to %d", care.MaxPageLimit)
		}
		pg.Limit = n
	}
	return pg, nil
}

// list is every list response: a page of items and the cursor of the next page, null after
// the last.
type list[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

func newList[T, V any](items []T, next string, view func(T) V) list[V] {
	out := list[V]{Items: make([]V, len(items))}
	for i, x := range items {
		out.Items[i] = view(x)
	}
	if next != "" {
		out.Next = &next
	}
	return out
}

// hidden is the answer for a record the staff member may not see: the same 404 as a record
// that does not exist.
func hidden() error { return care.Errorf(care.ENOTFOUND, "not found") }

// person loads the person of the path's id, if the staff member sees their commune.
func (h *handler) person(r *http.Request, st *care.Staff) (*care.Person, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := h.store.Person(r.Context(), care.PersonID(id))
	if err != nil {
		return nil, err
	}
	if !st.Sees(p.Commune) {
		return nil, hidden()
	}
	return p, nil
}

// kase loads the case with id, if the staff member sees its commune.
func (h *handler) kase(ctx context.Context, st *care.Staff, id care.CaseID) (*care.Case, error) {
	c, err := h.store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	if !st.Sees(c.Commune) {
		return nil, hidden()
	}
	return c, nil
}

// pathCase loads the case of the path's id, if the staff member sees its commune.
func (h *handler) pathCase(r *http.Request, st *care.Staff) (*care.Case, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.kase(r.Context(), st, care.CaseID(id))
}

func (h *handler) me(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	writeJSON(w, r, http.StatusOK, viewStaff(st))
	return nil
}
