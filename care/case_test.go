package care_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// legal lists every move of the life cycle with the facts its guard needs.
var legal = []struct {
	from  care.CaseStep
	ev    care.CaseEvent
	facts care.CaseFacts
	to    care.CaseStep
}{
	{care.StepAssessment, care.EventPlan, care.CaseFacts{HasAssessment: true}, care.StepPlanning},
	{care.StepPlanning, care.EventImplement, care.CaseFacts{PlanApproved: true}, care.StepImplementation},
	{care.StepImplementation, care.EventMonitor, care.CaseFacts{}, care.StepMonitoring},
	{care.StepImplementation, care.EventRevise, care.CaseFacts{}, care.StepPlanning},
	{care.StepMonitoring, care.EventRevise, care.CaseFacts{}, care.StepPlanning},
	{care.StepMonitoring, care.EventEvaluate, care.CaseFacts{}, care.StepEvaluation},
	{care.StepEvaluation, care.EventReassess, care.CaseFacts{}, care.StepAssessment},
}

func TestCaseMove(t *testing.T) {
	t.Parallel()
	all := care.CaseFacts{HasAssessment: true, PlanApproved: true}
	tests := []struct {
		name  string
		from  care.CaseStep
		ev    care.CaseEvent
		facts care.CaseFacts
		to    care.CaseStep // "" for an illegal move
		field string        // the field an illegal move's error names
	}{
		{"plan once assessed", care.StepAssessment, care.EventPlan, care.CaseFacts{HasAssessment: true}, care.StepPlanning, ""},
		{"implement an approved plan", care.StepPlanning, care.EventImplement, care.CaseFacts{HasAssessment: true, PlanApproved: true}, care.StepImplementation, ""},
		{"monitor", care.StepImplementation, care.EventMonitor, all, care.StepMonitoring, ""},
		{"revise while implementing", care.StepImplementation, care.EventRevise, all, care.StepPlanning, ""},
		{"revise while monitoring", care.StepMonitoring, care.EventRevise, all, care.StepPlanning, ""},
		{"evaluate", care.StepMonitoring, care.EventEvaluate, all, care.StepEvaluation, ""},
		{"reassess", care.StepEvaluation, care.EventReassess, all, care.StepAssessment, ""},
		{"guards ignore facts other moves need", care.StepImplementation, care.EventMonitor, care.CaseFacts{}, care.StepMonitoring, ""},

		{"plan with no assessment", care.StepAssessment, care.EventPlan, care.CaseFacts{PlanApproved: true}, "", "step"},
		{"implement an unapproved plan", care.StepPlanning, care.EventImplement, care.CaseFacts{HasAssessment: true}, "", "step"},
		{"close without a reason", care.StepEvaluation, care.EventClose, all, "", "event"},
		{"close while assessing without a reason", care.StepAssessment, care.EventClose, all, "", "event"},
		{"skip planning", care.StepAssessment, care.EventImplement, all, "", "step"},
		{"evaluate before monitoring", care.StepImplementation, care.EventEvaluate, all, "", "step"},
		{"revise while assessing", care.StepAssessment, care.EventRevise, all, "", "step"},
		{"reassess while monitoring", care.StepMonitoring, care.EventReassess, all, "", "step"},
		{"unknown event", care.StepAssessment, "archive", all, "", "event"},
		{"empty event", care.StepEvaluation, "", all, "", "event"},
		{"plan a closed case", care.StepClosed, care.EventPlan, all, "", "step"},
		{"reassess a closed case", care.StepClosed, care.EventReassess, all, "", "step"},
		{"close a closed case", care.StepClosed, care.EventClose, all, "", "event"},
		{"revise a closed case", care.StepClosed, care.EventRevise, all, "", "step"},
	}
	opened := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	const by care.ManagerID = 17
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &care.Case{ID: 42, PersonID: 7, ManagerID: 3, Commune: "x1", Step: tt.from, OpenedAt: opened, UpdatedAt: opened}
			if tt.from == care.StepClosed {
				c.ClosedAt = &opened
			}
			before := *c
			tr, err := c.Move(context.Background(), tt.ev, tt.facts, by, at, "ghi chú")
			if tt.to == "" {
				require.Error(t, err)
				require.Equal(t, care.EINVALID, care.ErrorCode(err), "error: %v", err)
				require.Equal(t, tt.field, care.ErrorField(err))
				require.Equal(t, care.CaseTransition{}, tr)
				require.Equal(t, before, *c, "an illegal move leaves the case as it was")
				return
			}
			require.NoError(t, err)
			require.Equal(t, care.CaseTransition{CaseID: 42, Event: tt.ev, From: tt.from, To: tt.to, By: by, At: at, Note: "ghi chú"}, tr)
			want := before
			want.Step, want.UpdatedAt = tt.to, at
			if tt.to == care.StepClosed {
				want.ClosedAt = &at
			}
			require.Equal(t, want, *c)
		})
	}
}

// TestCaseMoveIsClosed tries every event from every step with every guard satisfied: only
// the moves in legal succeed, so the life cycle has no move nobody meant.
func TestCaseMoveIsClosed(t *testing.T) {
	t.Parallel()
	all := care.CaseFacts{HasAssessment: true, PlanApproved: true}
	moves := map[[2]string]care.CaseStep{}
	for _, m := range legal {
		moves[[2]string{string(m.from), string(m.ev)}] = m.to
	}
	require.Len(t, moves, len(legal))
	require.ElementsMatch(t, care.CaseEvents(), []care.CaseEvent{care.EventPlan, care.EventImplement, care.EventMonitor,
		care.EventRevise, care.EventEvaluate, care.EventReassess, care.EventClose})
	for _, from := range care.CaseSteps {
		for _, ev := range care.CaseEvents() {
			c := &care.Case{Step: from}
			_, err := c.Move(context.Background(), ev, all, 1, time.Unix(0, 0), "")
			to, ok := moves[[2]string{string(from), string(ev)}]
			if !ok {
				require.Equal(t, care.EINVALID, care.ErrorCode(err), "%s from %s: %v", ev, from, err)
				require.Equal(t, from, c.Step)
				continue
			}
			require.NoError(t, err, "%s from %s", ev, from)
			require.Equal(t, to, c.Step)
		}
	}
	// The guards hold even when every other fact is true.
	for _, m := range legal {
		if m.facts == (care.CaseFacts{}) {
			continue
		}
		c := &care.Case{Step: m.from}
		_, err := c.Move(context.Background(), m.ev, care.CaseFacts{}, 1, time.Unix(0, 0), "")
		require.Equal(t, care.EINVALID, care.ErrorCode(err), "%s from %s without its facts", m.ev, m.from)
	}
}

func TestCaseStepNumbers(t *testing.T) {
	t.Parallel()
	for i, s := range care.CaseSteps {
		require.Equal(t, i+1, s.Number())
		require.True(t, s.Valid())
	}
	require.False(t, care.CaseStep("archived").Valid())
}

// TestCaseClose closes a case from every step for every reason: every open step closes,
// recording the reason and the note; a closed case, an unknown reason and "other" without a
// note are refused and change nothing.
func TestCaseClose(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	for _, from := range care.CaseSteps {
		for _, reason := range append(care.CloseReasons, "archived") {
			for _, note := range []string{"", " chuyển về quê "} {
				c := &care.Case{ID: 9, Step: from}
				before := *c
				tr, err := c.Close(context.Background(), care.Closure{Reason: reason, Note: note}, 5, at)
				switch {
				case !reason.Valid():
					require.Equal(t, "reason", care.ErrorField(err), "%s from %s", reason, from)
				case reason == care.CloseOther && note == "":
					require.Equal(t, "note", care.ErrorField(err), "other without a note from %s", from)
				case from == care.StepClosed:
					require.Equal(t, "step", care.ErrorField(err), "%s from closed", reason)
				default:
					require.NoError(t, err, "%s from %s", reason, from)
					require.Equal(t, care.CaseTransition{CaseID: 9, Event: care.EventClose, From: from, To: care.StepClosed,
						By: 5, At: at, Note: strings.TrimSpace(note), Reason: reason}, tr)
					require.Equal(t, care.StepClosed, c.Step)
					require.Equal(t, reason, c.CloseReason)
					require.Equal(t, &at, c.ClosedAt)
					continue
				}
				require.Equal(t, care.EINVALID, care.ErrorCode(err))
				require.Equal(t, before, *c, "a refused close changes nothing")
			}
		}
	}
	require.False(t, care.CloseDied.TellsPerson(), "nobody is told after a death")
	for _, r := range care.CloseReasons {
		require.Equal(t, r != care.CloseDied, r.TellsPerson(), r)
	}
}

func TestCaseTransfer(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	to := &care.CaseManager{ID: 8, Commune: "b", Active: true}
	tests := []struct {
		name  string
		step  care.CaseStep
		to    *care.CaseManager
		field string
	}{
		{"to another commune", care.StepMonitoring, to, ""},
		{"to another case manager of the same commune", care.StepPlanning, &care.CaseManager{ID: 9, Commune: "a", Active: true}, ""},
		{"a closed case", care.StepClosed, to, "step"},
		{"to an inactive manager", care.StepPlanning, &care.CaseManager{ID: 8, Commune: "b"}, "manager_id"},
		{"to where it is", care.StepPlanning, &care.CaseManager{ID: 3, Commune: "a", Active: true}, "commune"},
	}
	for _, tt := range tests {
		c := &care.Case{ID: 1, ManagerID: 3, Commune: "a", Step: tt.step}
		before := *c
		tr, err := c.Transfer(tt.to, 5, at, "")
		if tt.field != "" {
			require.Equal(t, tt.field, care.ErrorField(err), tt.name)
			require.Equal(t, before, *c, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		require.Equal(t, care.CaseTransition{CaseID: 1, Event: care.EventTransfer, From: tt.step, To: tt.step, By: 5, At: at,
			FromCommune: "a", ToCommune: tt.to.Commune, ToManager: tt.to.ID}, tr, tt.name)
		require.Equal(t, tt.to.Commune, c.Commune)
		require.Equal(t, tt.to.ID, c.ManagerID)
	}
}

func TestReviewIntervalCountsCalendarMonths(t *testing.T) {
	t.Parallel()
	hcm := time.FixedZone("ICT", 7*3600)
	tests := []struct {
		from time.Time
		want time.Time
	}{
		{time.Date(2026, 1, 31, 10, 0, 0, 0, hcm), time.Date(2026, 4, 30, 0, 0, 0, 0, hcm)},
		{time.Date(2026, 11, 15, 23, 0, 0, 0, hcm), time.Date(2027, 2, 15, 0, 0, 0, 0, hcm)},
		// 20:00 UTC on 30 November is 1 December in Hanoi.
		{time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC), time.Date(2027, 3, 1, 0, 0, 0, 0, hcm)},
	}
	for _, tt := range tests {
		require.True(t, tt.want.Equal(care.DefaultReviewInterval.After(tt.from, hcm)), "%v", tt.from)
	}
}
