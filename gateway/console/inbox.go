package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
)

// inboxLimit is how many items the inbox shows at once: the most pressing come first, and a
// page of 50 stays light on a slow connection.
const inboxLimit = 50

// inboxRow is one inbox line as the template shows it.
type inboxRow struct {
	care.InboxItem
	// Deadline says how long is left before the next level is told, or how late it is.
	Deadline string
	Overdue  bool
}

// inboxView is the inbox: its first inboxLimit lines, and whether more wait behind them.
type inboxView struct {
	Rows []inboxRow
	More bool
}

// inboxRows loads the staff member's inbox and words each line's deadline.
func (h *handler) inboxRows(r *http.Request, q *request) (inboxView, error) {
	items, err := h.Store.Inbox(r.Context(), q.staff.Communes(), inboxLimit+1)
	if err != nil {
		return inboxView{}, err
	}
	more := len(items) > inboxLimit
	if more {
		items = items[:inboxLimit]
	}
	now := h.Clock.Now()
	out := make([]inboxRow, len(items))
	for i, it := range items {
		row := inboxRow{InboxItem: it}
		switch {
		case it.Status != care.EscalationOpen || it.NextLevelAt == nil:
			row.Deadline = q.L.T("inbox.nosla")
		case it.NextLevelAt.Before(now):
			row.Deadline, row.Overdue = q.L.F("inbox.overdue", span(now.Sub(*it.NextLevelAt), q.L)), true
		default:
			row.Deadline = q.L.F("inbox.left", span(it.NextLevelAt.Sub(now), q.L))
		}
		out[i] = row
	}
	return inboxView{Rows: out, More: more}, nil
}

// span words a duration in hours and minutes ("1 giờ 5 phút").
func span(d time.Duration, l catalog) string {
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	hw, mw := "giờ", "phút"
	if l.lang == care.English {
		hw, mw = "h", "min"
	}
	var parts []string
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", h, hw))
	}
	if m > 0 || h == 0 {
		parts = append(parts, fmt.Sprintf("%d %s", m, mw))
	}
	return strings.Join(parts, " ")
}

// inbox is the first page: what waits for the staff member's communes.
func (h *handler) inbox(w http.ResponseWriter, r *http.Request, q *request) error {
	rows, err := h.inboxRows(r, q)
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "inbox", q, rows)
}

// inboxItems is the inbox's list alone, which the page fetches to refresh itself.
func (h *handler) inboxItems(w http.ResponseWriter, r *http.Request, q *request) error {
	rows, err := h.inboxRows(r, q)
	if err != nil {
		return err
	}
	return h.fragment(w, "inbox", "items", q, rows)
}

// escalation loads the escalation of the path's id, if the staff member sees its commune.
func (h *handler) escalation(r *http.Request, q *request) (*care.Escalation, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	e, err := h.Store.Escalation(r.Context(), care.EscalationID(id))
	if err != nil {
		return nil, err
	}
	if !q.staff.Sees(e.Commune) {
		return nil, hidden()
	}
	return e, nil
}

// acknowledge takes an escalation: the ladder stops (the store method the API and the SMS
// "XN" answer use, audited).
func (h *handler) acknowledge(w http.ResponseWriter, r *http.Request, q *request) error {
	e, err := h.escalation(r, q)
	if err != nil {
		return err
	}
	if _, err := h.Store.AcknowledgeEscalationAs(r.Context(), q.staff.ID, e.ID, h.Clock.Now()); err != nil {
		return err
	}
	return seeOther(w, r, Prefix)
}

// resolve closes an escalation with its outcome; the help request it is about is resolved
// with it.
func (h *handler) resolve(w http.ResponseWriter, r *http.Request, q *request) error {
	e, err := h.escalation(r, q)
	if err != nil {
		return err
	}
	outcome := strings.TrimSpace(r.PostForm.Get("outcome"))
	switch {
	case outcome == "":
		return care.FieldError("outcome", "the outcome is required")
	case len([]rune(outcome)) > 1000:
		return care.FieldError("outcome", "the outcome is longer than 1000 characters")
	}
	if _, err := h.Store.ResolveEscalationAs(r.Context(), q.staff.ID, e.ID, outcome, h.Clock.Now()); err != nil {
		return err
	}
	if e.HelpRequestID != 0 {
		if _, err := h.Store.ResolveHelpRequestAs(r.Context(), q.staff.ID, e.HelpRequestID); err != nil && care.ErrorCode(err) != care.ECONFLICT {
			return err
		}
	}
	return seeOther(w, r, Prefix)
}
