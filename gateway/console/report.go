package console

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/caseline/caseline/care"
)

// table is one of the report's tables: rows of a label and a count, drawn as a bar chart
// above it and downloadable as CSV.
type table struct {
	ID    string // the CSV's ?table=
	Title string
	Rows  []care.CountBy // Key already in words
	Chart template.HTML
	Note  string // a sentence under the title (a rate), "" for none
}

// reportView is the report page.
type reportView struct {
	Month  string // YYYY-MM
	Tables []table
}

// month reads ?month=YYYY-MM (default: this month, local time) and returns its bounds.
func (h *handler) month(r *http.Request) (string, time.Time, time.Time, error) {
	m := r.URL.Query().Get("month")
	if m == "" {
		m = h.Clock.Now().In(h.Location).Format("2006-01")
	}
	from, err := time.ParseInLocation("2006-01", m, h.Location)
	if err != nil {
		return "", from, from, care.FieldError("month", "the month must be YYYY-MM")
	}
	return m, from, from.AddDate(0, 1, 0), nil
}

// tables words the report as its tables.
func tables(rep *care.CommuneReport, l catalog) []table {
	words := func(kind string, in []care.CountBy) []care.CountBy {
		out := make([]care.CountBy, len(in))
		for i, c := range in {
			out[i] = care.CountBy{Key: l.Enum(kind, c.Key), Count: c.Count}
		}
		return out
	}
	bySteps := make([]care.CountBy, 0, 5)
	for _, s := range steps[:5] {
		n := 0
		for _, c := range rep.CasesByStep {
			if c.Key == string(s) {
				n = c.Count
			}
		}
		bySteps = append(bySteps, care.CountBy{Key: l.Enum("step", s), Count: n})
	}
	rate := func(n, of int) string {
		p := 0
		if of > 0 {
			p = n * 100 / of
		}
		return l.F("report.percent", n, of, p)
	}
	ts := []table{
		{ID: "cases", Title: l.T("report.cases"), Rows: []care.CountBy{
			{Key: l.T("report.new"), Count: rep.NewCases}, {Key: l.T("report.closed"), Count: rep.ClosedCases}}},
		{ID: "steps", Title: l.T("report.bystep"), Rows: bySteps},
		{ID: "help", Title: l.T("report.help"), Rows: words("help", rep.HelpByCategory)},
		{ID: "sla", Title: l.T("report.sla"), Note: rate(rep.AckedInSLA, rep.Escalations), Rows: []care.CountBy{
			{Key: l.T("report.slaall"), Count: rep.Escalations}, {Key: l.T("report.slain"), Count: rep.AckedInSLA}}},
		{ID: "checkins", Title: l.T("report.checkins"), Note: rate(rep.CheckInsAnswered, rep.CheckInsDue), Rows: []care.CountBy{
			{Key: l.T("report.ckdue"), Count: rep.CheckInsDue}, {Key: l.T("report.ckans"), Count: rep.CheckInsAnswered}}},
		{ID: "ussd", Title: l.T("report.ussd"), Rows: rep.USSDLeft},
		{ID: "voice", Title: l.T("report.voice"), Rows: rep.VoiceLeft},
	}
	for i := range ts {
		ts[i].Chart = barChart(ts[i].ID, l.F("report.chart", ts[i].Title), ts[i].Rows)
	}
	return ts
}

// monthTables are the report's tables for the month the request asks for, over the staff
// member's communes, and that month.
func (h *handler) monthTables(r *http.Request, q *request) ([]table, string, error) {
	m, from, to, err := h.month(r)
	if err != nil {
		return nil, "", err
	}
	rep, err := h.Store.CommuneReport(r.Context(), q.staff.Communes(), from, to, h.SLA)
	if err != nil {
		return nil, "", err
	}
	return tables(rep, q.L), m, nil
}

// report is the monthly report of the staff member's communes.
func (h *handler) report(w http.ResponseWriter, r *http.Request, q *request) error {
	ts, m, err := h.monthTables(r, q)
	if err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "report", q, reportView{Month: m, Tables: ts})
}

// reportCSV downloads one of the report's tables.
func (h *handler) reportCSV(w http.ResponseWriter, r *http.Request, q *request) error {
	ts, m, err := h.monthTables(r, q)
	if err != nil {
		return err
	}
	id := r.URL.Query().Get("table")
	for _, t := range ts {
		if t.ID != id {
			continue
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="caseline-%s-%s.csv"`, m, id))
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{q.L.T("report.what"), q.L.T("report.count")})
		for _, row := range t.Rows {
			_ = cw.Write([]string{csvSafe(row.Key), strconv.Itoa(row.Count)})
		}
		cw.Flush()
		return cw.Error()
	}
	return care.Errorf(care.ENOTFOUND, "no such table")
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// barChart draws rows as a horizontal bar chart in SVG, sized for a phone: each row's label
// on its own line with the bar under it and the number written beside the bar, so nothing
// is said by colour or length alone. The table under it carries the same figures for screen
// readers; the chart is an image with a title.
func barChart(id, title string, rows []care.CountBy) template.HTML {
	const (
		width, barW, rowH = 360, 290, 46
	)
	maxN := 0
	for _, r := range rows {
		maxN = max(maxN, r.Count)
	}
	height := max(len(rows), 1)*rowH + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-%s">`, width, height, id)
	fmt.Fprintf(&b, `<title id="chart-%s">%s</title>`, id, template.HTMLEscapeString(title))
	for i, r := range rows {
		y := 2 + i*rowH
		w := 0
		if maxN > 0 {
			w = r.Count * barW / maxN
		}
		label := []rune(r.Key)
		if len(label) > 48 {
			label = append(label[:47], '…')
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" class="chart-label">%s</text>`, y+16, template.HTMLEscapeString(string(label)))
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%d" height="16" class="chart-bar"></rect>`, y+22, w)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="chart-value">%d</text>`, w+6, y+36, r.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every piece of text in it is escaped above
}
