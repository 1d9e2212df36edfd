package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

type routeAll care.Provider

func (r routeAll) Route(care.Phone) care.Provider { return care.Provider(r) }

// TestNewsWordsTheLifeCycle: the person hears of a close in their channel, discreetly and in
// one segment; staff texts go without diacritics, one segment with names at their longest;
// the same news gives the same keys, a new round new ones.
func TestNewsWordsTheLifeCycle(t *testing.T) {
	t.Parallel()
	n := flows.NewNews(routeAll(care.ProviderAndroid), time.UTC)
	long := strings.Repeat("Nguyễn Thị Hoa ", 5)
	person := care.Person{ID: 7, Phone: "+84912000001", Name: long, Language: care.Vietnamese, Profile: []care.Disability{care.Deaf}}
	c := care.Case{ID: 42, Commune: "27001"}
	for _, lang := range []care.Language{care.Vietnamese, care.English} {
		person.Language = lang
		out := n.Closed(care.ClosedNews{Case: c, Person: person})
		require.Len(t, out, 1)
		require.Equal(t, care.ChannelSMS, out[0].Channel)
		require.Equal(t, care.ProviderAndroid, out[0].Provider, "the router picks the SMS's provider")
		require.Equal(t, "closed:42", out[0].Key)
		require.Empty(t, flows.Indiscreet(out[0].Body))
		require.Equal(t, 1, flows.MeasureSMS(out[0].Body).Segments, out[0].Body)
	}
	blind := person
	blind.Profile = []care.Disability{care.Blind}
	call := n.Closed(care.ClosedNews{Case: c, Person: blind})
	require.Equal(t, []care.Outgoing{{Key: "closed:42", PersonID: 7, Phone: person.Phone, Channel: care.ChannelVoice,
		Provider: care.ProviderTwilio, Body: "closed:42"}}, call, "a blind person is called; the call reads the closed plan status")

	staff := func(lang care.Language, id care.ManagerID) care.CaseManager {
		return care.CaseManager{ID: id, Name: long, Phone: "+84901000101", Commune: "27001", Language: lang}
	}
	returnedAt := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	due := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	for _, lang := range []care.Language{care.Vietnamese, care.English} {
		from, to := staff(lang, 1), staff(lang, 2)
		to.Commune = "27002"
		var all []care.Outgoing
		all = append(all, n.Transferred(care.TransferNews{Case: c, Person: person, From: from, To: to, At: returnedAt})...)
		for _, ev := range []care.PlanEvent{care.PlanEventSubmitted, care.PlanEventApproved, care.PlanEventReturned} {
			plan := care.SupportPlan{ID: 9, CaseID: 42, ReturnReason: strings.Repeat("Thiếu nơi học nghề. ", 10), ReturnedAt: &returnedAt}
			got := n.Plan(care.PlanNews{Event: ev, Plan: plan, Case: c, Person: person, To: []care.CaseManager{from, to}})
			require.Len(t, got, 2, ev)
			again := n.Plan(care.PlanNews{Event: ev, Plan: plan, Case: c, Person: person, To: []care.CaseManager{from, to}})
			require.Equal(t, got, again, "the same news, the same keys")
			all = append(all, got...)
		}
		review := c
		review.NextReviewAt = &due
		all = append(all, n.Due(care.DueNews{Case: review, Person: person, Manager: from})...)
		all = append(all, n.Due(care.DueNews{Case: c, Person: person, Manager: from,
			Service: &care.PlanService{ID: 5, Description: strings.Repeat("Cấp xe lăn ", 10), Due: &due}})...)
		require.Len(t, all, 10)
		keys := map[string]bool{}
		for _, o := range all {
			require.Equal(t, flows.StripDiacritics(o.Body), o.Body, "staff SMS go without diacritics")
			require.Equal(t, 1, flows.MeasureSMS(o.Body).Segments, o.Body)
			require.False(t, keys[o.Key], "unique keys: %s", o.Key)
			keys[o.Key] = true
		}
	}
}
