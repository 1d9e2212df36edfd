package care_test

import (
	"context"
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
	{care.StepEvaluation, care.EventClose, care.CaseFacts{}, care.StepClosed},
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
		{"close after evaluation", care.StepEvaluation, care.EventClose, all, care.StepClosed, ""},
		{"guards ignore facts other moves need", care.StepImplementation, care.EventMonitor, care.CaseFacts{}, care.StepMonitoring, ""},

		{"plan with no assessment", care.StepAssessment, care.EventPlan, care.CaseFacts{PlanApproved: true}, "", "step"},
		{"implement an unapproved plan", care.StepPlanning, care.EventImplement, care.CaseFacts{HasAssessment: true}, "", "step"},
		{"close while assessing", care.StepAssessment, care.EventClose, all, "", "step"},
		{"close while planning", care.StepPlanning, care.EventClose, all, "", "step"},
		{"close while implementing", care.StepImplementation, care.EventClose, all, "", "step"},
		{"close while monitoring", care.StepMonitoring, care.EventClose, all, "", "step"},
		{"skip planning", care.StepAssessment, care.EventImplement, all, "", "step"},
		{"evaluate before monitoring", care.StepImplementation, care.EventEvaluate, all, "", "step"},
		{"revise while assessing", care.StepAssessment, care.EventRevise, all, "", "step"},
		{"reassess while monitoring", care.StepMonitoring, care.EventReassess, all, "", "step"},
		{"unknown event", care.StepAssessment, "archive", all, "", "event"},
		{"empty event", care.StepEvaluation, "", all, "", "event"},
		{"plan a closed case", care.StepClosed, care.EventPlan, all, "", "step"},
		{"reassess a closed case", care.StepClosed, care.EventReassess, all, "", "step"},
		{"close a closed case", care.StepClosed, care.EventClose, all, "", "step"},
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
