package console

import (
	"net/http"
	"slices"

	"github.com/caseline/caseline/care"
)

// peopleLimit is how many people one search shows.
const peopleLimit = 50

// peopleView is the people list with its filters.
type peopleView struct {
	Text   string
	Step   string
	Need   string
	Review string
	Steps  []care.CaseStep
	Needs  []care.NeedArea
	Rows   []care.PersonRow
	More   bool
}

// steps lists the steps in order, closed last.
var steps = []care.CaseStep{care.StepAssessment, care.StepPlanning, care.StepImplementation,
	care.StepMonitoring, care.StepEvaluation, care.StepClosed}

// needs lists the need areas of Article 5 in the Circular's order.
var needs = []care.NeedArea{care.NeedLivelihood, care.NeedHealth, care.NeedEducation, care.NeedFamily,
	care.NeedLifeSkills, care.NeedCommunity, care.NeedPsychological, care.NeedOther}

// people searches the people of the staff member's communes.
func (h *handler) people(w http.ResponseWriter, r *http.Request, q *request) error {
	qs := r.URL.Query()
	v := peopleView{Text: qs.Get("q"), Step: qs.Get("step"), Need: qs.Get("need"), Review: qs.Get("review"), Steps: steps, Needs: needs}
	if !care.TextOK(v.Text) || len([]rune(v.Text)) > 100 {
		return care.FieldError("q", "the search text is not valid")
	}
	if v.Step != "" && !care.CaseStep(v.Step).Valid() {
		return care.FieldError("step", "unknown case step")
	}
	if v.Need != "" && !care.NeedArea(v.Need).Valid() {
		return care.FieldError("need", "unknown need area")
	}
	if !care.ReviewFilter(v.Review).Valid() {
		return care.FieldError("review", "unknown review filter")
	}
	rows, err := h.Store.SearchPersons(r.Context(), care.PersonSearch{Communes: q.staff.Communes(), Text: v.Text,
		Step: care.CaseStep(v.Step), Need: care.NeedArea(v.Need), Review: care.ReviewFilter(v.Review), Now: h.Clock.Now(),
		Limit: peopleLimit + 1})
	if err != nil {
		return err
	}
	if len(rows) > peopleLimit {
		rows, v.More = rows[:peopleLimit], true
	}
	v.Rows = rows
	return h.render(w, http.StatusOK, "people", q, v)
}

// personView is a person's page.
type personView struct {
	Person     *care.Person
	Case       *care.Case
	Closed     *care.Case // the last closed case, when no case is open: it can be reopened
	History    []care.CaseTransition
	Steps      []stepView
	Events     []care.CaseEvent
	Assessment *care.Assessment
	Plan       *care.SupportPlan // in force (or, before any approval, the one on its way)
	Pending    *care.SupportPlan // on its way to approval, when it is not Plan
	Reasons    []care.CloseReason
	Messages   []*care.Message
	Appts      []*care.Appointment
	Schedules  []*care.CheckInSchedule
	CheckIns   []*care.CheckIn
	Help       []*care.HelpRequest
	Names      map[care.ManagerID]string
	Needs      []care.NeedArea
	Services   []int // the plan form's service rows
	Today      string
	MayApprove bool
	// SMSKey makes the send form idempotent: sent twice (a double click, a reload), it
	// sends one SMS.
	SMSKey string
}

// stepView is one of the five steps on the timeline: reached or not, and when and by whom.
type stepView struct {
	Step    care.CaseStep
	Reached bool
	Current bool
	At      string
	By      string
}

// person loads the person of the path's id, if the staff member sees their commune.
func (h *handler) loadPerson(r *http.Request, q *request) (*care.Person, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := h.Store.Person(r.Context(), care.PersonID(id))
	if err != nil {
		return nil, err
	}
	if !q.staff.Sees(p.Commune) {
		return nil, hidden()
	}
	return p, nil
}

// person is a person's page: profile, case and its steps, messages, appointments,
// check-ins and help requests.
func (h *handler) person(w http.ResponseWriter, r *http.Request, q *request) error {
	ctx := r.Context()
	p, err := h.loadPerson(r, q)
	if err != nil {
		return err
	}
	v := personView{Person: p, Needs: needs, Services: []int{1, 2, 3}, MayApprove: q.staff.MayApprove(),
		Today: h.Clock.Now().In(h.Location).Format("2006-01-02")}
	if v.SMSKey, _, err = care.NewSessionID(); err != nil {
		return err
	}
	if v.Messages, _, err = h.Store.ListMessages(ctx, p.ID, care.Page{Limit: 30}); err != nil {
		return err
	}
	if v.Appts, err = h.Store.PersonAppointments(ctx, p.ID); err != nil {
		return err
	}
	if v.Help, err = h.Store.PersonHelpRequests(ctx, p.ID); err != nil {
		return err
	}
	ids := []care.ManagerID{}
	c, err := h.Store.OpenCaseOf(ctx, p.ID)
	switch {
	case care.ErrorCode(err) == care.ENOTFOUND:
		if v.Closed, err = h.Store.LastClosedCaseOf(ctx, p.ID); err != nil && care.ErrorCode(err) != care.ENOTFOUND {
			return err
		}
	case err != nil:
		return err
	default:
		v.Case = c
		if v.History, err = h.Store.CaseHistory(ctx, c.ID); err != nil {
			return err
		}
		for _, t := range v.History {
			ids = append(ids, t.By)
		}
		if v.Assessment, err = h.Store.LatestAssessment(ctx, c.ID); err != nil && care.ErrorCode(err) != care.ENOTFOUND {
			return err
		}
		if v.Plan, err = h.Store.CurrentPlan(ctx, c.ID); err != nil && care.ErrorCode(err) != care.ENOTFOUND {
			return err
		}
		if v.Pending, err = h.Store.PendingPlan(ctx, c.ID); err != nil && care.ErrorCode(err) != care.ENOTFOUND {
			return err
		}
		if v.Plan != nil && v.Pending != nil && v.Plan.ID == v.Pending.ID {
			v.Pending = nil
		}
		v.Reasons = care.CloseReasons
		if v.Schedules, _, err = h.Store.ListSchedules(ctx, c.ID, care.Page{Limit: 20}); err != nil {
			return err
		}
		if v.CheckIns, err = h.Store.CaseCheckIns(ctx, c.ID, 20); err != nil {
			return err
		}
		ids = append(ids, c.ManagerID)
		v.Events = care.NextEvents(c.Step)
	}
	if v.Names, err = h.Store.ManagerNames(ctx, ids); err != nil {
		return err
	}
	v.Steps = timeline(v.Case, v.History, v.Names, q.L)
	return h.render(w, http.StatusOK, "person", q, v)
}

// timeline shows the five steps: each reached step with the last time the case entered it
// and who moved it there (the first step: when the case opened).
func timeline(c *care.Case, history []care.CaseTransition, names map[care.ManagerID]string, l catalog) []stepView {
	if c == nil {
		return nil
	}
	out := make([]stepView, 0, 5)
	for _, s := range steps[:5] {
		sv := stepView{Step: s, Reached: s.Number() <= c.Step.Number() || c.Step == care.StepClosed, Current: s == c.Step}
		if s == care.StepAssessment {
			sv.At, sv.By, sv.Reached = l.Time(c.OpenedAt), names[c.ManagerID], true
		}
		for _, t := range slices.Backward(history) {
			if t.To == s && t.From != t.To { // a review or a transfer does not enter a step
				sv.At, sv.By = l.Time(t.At), names[t.By]
				break
			}
		}
		out = append(out, sv)
	}
	return out
}

// sendSMS queues what the staff member wrote to the person, through the same store method
// and composer as the API: scoped, audited, refused when it would reveal a report.
func (h *handler) sendSMS(w http.ResponseWriter, r *http.Request, q *request) error {
	p, err := h.loadPerson(r, q)
	if err != nil {
		return err
	}
	m := care.StaffSMS{PersonID: p.ID, Text: r.PostForm.Get("body"), Key: r.PostForm.Get("key")}
	if _, err := h.Store.SendSMSAs(r.Context(), q.staff, m, h.Compose); err != nil {
		return err
	}
	return seeOther(w, r, personPath(p.ID))
}
