package flows

import (
	"fmt"
	"strconv"
	"time"

	"github.com/caseline/caseline/care"
)

// News words what the case life cycle tells people and staff (care.Announcer): the person
// whose case closed, in their channel and discreetly; both case managers of a transfer; the
// approvers of a plan that waits and the case manager of one approved or returned; the case
// manager of a review or a service come due. Staff SMS go without diacritics, one segment
// where the names allow.
type News struct {
	router care.Router
	cat    catalog
	loc    *time.Location
}

var _ care.Announcer = (*News)(nil)

// NewNews returns the life cycle's wording; router picks each SMS's provider (nil: Twilio),
// loc is the time zone dates are written in (nil: Asia/Ho_Chi_Minh).
func NewNews(router care.Router, loc *time.Location) *News {
	if loc == nil {
		loc = defaultLocation()
	}
	return &News{router: router, cat: newCatalog(), loc: loc}
}

// Using words the news with p (a PROMPTS_DIR override) instead of the shipped prompts; nil
// keeps them. It returns n.
func (n *News) Using(p *Prompts) *News {
	if p != nil {
		n.cat = p.catalog()
	}
	return n
}

// OutboundClosed is the kind of an outbound call telling a person their case closed:
// "closed:<case id>".
const OutboundClosed = outboundClosed

// Closed tells the person their case is closed and how to ask for help or open it again:
// a call for those reached by phone (the call reads the plan status of a closed case), an
// SMS otherwise. Nothing in it says why.
func (n *News) Closed(c care.ClosedNews) []care.Outgoing {
	p := c.Person
	key := fmt.Sprintf("closed:%d", c.Case.ID)
	out := care.Outgoing{Key: key, PersonID: p.ID, Phone: p.Phone}
	if p.ReachBy() == care.ChannelVoice {
		out.Channel, out.Provider, out.Body = care.ChannelVoice, care.ProviderTwilio, key
		return []care.Outgoing{out}
	}
	text := "Caseline: " + n.cat.text(p.Language, keyPlanClosed)
	if !p.Diacritics {
		text = StripDiacritics(text)
	}
	out.Channel, out.Provider, out.Body = care.ChannelSMS, n.provider(p.Phone), text
	return []care.Outgoing{out}
}

// Transferred tells the case manager who gave the case up and the one who takes it.
func (n *News) Transferred(t care.TransferNews) []care.Outgoing {
	id := strconv.FormatInt(int64(t.Case.ID), 10)
	name := clip(t.Person.Name, 30)
	stamp := strconv.FormatInt(t.At.UnixMicro(), 10)
	out := []care.Outgoing{n.staff(t.From, "transfer:"+id+":"+stamp+":out", keyNewsTransferredOut,
		"case", id, "name", name, "commune", string(t.To.Commune), "to", clip(t.To.Name, 30))}
	if t.To.ID != t.From.ID {
		out = append(out, n.staff(t.To, "transfer:"+id+":"+stamp+":in", keyNewsTransferredIn,
			"case", id, "name", name, "phone", string(t.Person.Phone), "commune", string(t.From.Commune), "from", clip(t.From.Name, 30)))
	}
	return out
}

// Plan tells each of p.To of a plan waiting, approved or returned.
func (n *News) Plan(p care.PlanNews) []care.Outgoing {
	key := map[care.PlanEvent]string{care.PlanEventSubmitted: keyNewsPlanSubmitted,
		care.PlanEventApproved: keyNewsPlanApproved, care.PlanEventReturned: keyNewsPlanReturned}[p.Event]
	if key == "" {
		return nil
	}
	// A plan is approved once, but submitted again after each return: the last return tells
	// one round from the next.
	var round int64
	if p.Plan.ReturnedAt != nil {
		round = p.Plan.ReturnedAt.UnixMicro()
	}
	var out []care.Outgoing
	for _, m := range p.To {
		out = append(out, n.staff(m, fmt.Sprintf("plan:%d:%s:%d:%d", p.Plan.ID, p.Event, round, m.ID), key,
			"plan", strconv.FormatInt(int64(p.Plan.ID), 10), "case", strconv.FormatInt(int64(p.Case.ID), 10),
			"name", clip(p.Person.Name, 30), "reason", clip(p.Plan.ReturnReason, 60)))
	}
	return out
}

// Due tells the case manager of a review or a planned service come due.
func (n *News) Due(d care.DueNews) []care.Outgoing {
	id := strconv.FormatInt(int64(d.Case.ID), 10)
	name := clip(d.Person.Name, 30)
	if d.Service != nil {
		date := ""
		if d.Service.Due != nil {
			date = d.Service.Due.Format("02/01")
		}
		return []care.Outgoing{n.staff(d.Manager, fmt.Sprintf("service-due:%d", d.Service.ID), keyNewsServiceDue,
			"case", id, "name", name, "what", clip(d.Service.Description, 40), "date", date)}
	}
	if d.Case.NextReviewAt == nil {
		return nil
	}
	at := *d.Case.NextReviewAt
	return []care.Outgoing{n.staff(d.Manager, "review:"+id+":"+at.Format("2006-01-02"), keyNewsReviewDue,
		"case", id, "name", name, "date", at.In(n.loc).Format("02/01"))}
}

// staff is an SMS to a staff member in their language, without diacritics.
func (n *News) staff(m care.CaseManager, key, textKey string, kv ...string) care.Outgoing {
	return care.Outgoing{Key: key, Phone: m.Phone, Channel: care.ChannelSMS, Provider: n.provider(m.Phone),
		Body: StripDiacritics(n.cat.text(m.Language, textKey, kv...))}
}

func (n *News) provider(to care.Phone) care.Provider {
	if n.router != nil {
		if p := n.router.Route(to); p.Valid() {
			return p
		}
	}
	return care.ProviderTwilio
}
