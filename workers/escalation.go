package workers

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
)

// handleEscalation runs one step of the ladder. Stage notify with level N tells level N:
// the current level when nobody was told yet, or the next one once the current level let
// next_level_at pass unacknowledged. Stage resolved tells everyone told that it is resolved.
// Acknowledged or resolved escalations climb no further.
func (w *worker) handleEscalation(ctx context.Context, p Payload) error {
	now := w.Clock.Now()
	log := zerolog.Ctx(ctx)
	queued, err := w.Store.RunEscalation(ctx, care.EscalationID(p.ID), now, w.claim(), func(ew care.EscalationWork) (care.EscalationResult, error) {
		res := w.decideEscalation(ew, p.Stage, care.EscalationLevel(p.N), now)
		switch {
		case res.Unrouted && p.Stage == care.StageReroute:
			log.Warn().Int64("escalation", p.ID).Str("reason", string(ew.Escalation.Reason)).
				Msg("still nobody on the escalation ladder to tell")
		case p.Stage == care.StageReroute && len(res.Notices) > 0:
			log.Info().Int64("escalation", p.ID).Int("level", int(res.Level)).Msg("unrouted escalation reached someone")
		case res.Unrouted:
			// Saved and counted (caseline_help_requests_unrouted), but no person knows: the
			// on-call roster is empty and so is the commune's ladder.
			log.Error().Int64("escalation", p.ID).Str("reason", string(ew.Escalation.Reason)).
				Msg("nobody on the escalation ladder to tell")
		}
		return res, nil
	})
	if care.ErrorCode(err) == care.ENOTFOUND {
		log.Warn().Int64("escalation", p.ID).Msg("escalation gone")
		return nil
	}
	if err != nil {
		return fmt.Errorf("escalation %d %s %d: %w", p.ID, p.Stage, p.N, err)
	}
	// The staff's SMS go from this task, right after the commit: the escalation's whole
	// point is to reach someone within seconds.
	if err := w.deliver(ctx, queued); err != nil {
		return fmt.Errorf("escalation %d %s %d: %w", p.ID, p.Stage, p.N, err)
	}
	return nil
}

// decideEscalation says what one step does. An escalation nobody at all can be told of is
// marked unrouted, and its reroute steps look again from the bottom of its ladder; one whose
// ladder has nobody above the level told stays with them.
func (w *worker) decideEscalation(ew care.EscalationWork, stage string, level care.EscalationLevel, now time.Time) care.EscalationResult {
	e := ew.Escalation
	res := care.EscalationResult{Level: e.Level, Notified: e.Notified, NextLevelAt: e.NextLevelAt, ResolveNotified: ew.ResolveNotified}
	if stage == care.StageResolved {
		if e.Status != care.EscalationResolved || ew.ResolveNotified {
			return res
		}
		res.ResolveNotified = true
		for _, m := range ew.Told {
			res.Messages = append(res.Messages, care.Outgoing{
				Key: fmt.Sprintf("esc:%d:resolved:m%d", e.ID, m.ID), Phone: m.Phone,
				Channel: care.ChannelSMS, Provider: w.smsProvider(m.Phone), Body: smsText(resolvedText(m.Language, e.ID), false),
			})
		}
		return res
	}
	if e.Status != care.EscalationOpen {
		return res
	}
	switch {
	case stage == care.StageReroute && len(ew.Notices) == 0 && e.Notified:
		// Nobody could be told before: look again from the bottom of the ladder, which may
		// have someone on it now (a duty officer added, a case manager back).
		level = care.LevelCaseManager
	case stage != care.StageNotify:
		return res
	case level == e.Level && !e.Notified:
		res.Messages = w.caregiverOfUnreachable(ew)
	case level == e.Level+1 && e.Notified && level <= care.TopLevel && e.NextLevelAt != nil && !e.NextLevelAt.After(now):
	default:
		return res // told already, not due to climb, or a stale step
	}
	// Tell the first rung from level up with someone on it.
	for l := level; l <= care.TopLevel; l++ {
		m := ew.Ladder[l]
		if m == nil {
			continue
		}
		res.Level, res.Notified, res.NextLevelAt = l, true, nil
		if l < care.TopLevel {
			next := now.Add(w.SLA.For(e.Urgent))
			res.NextLevelAt = &next
		}
		res.Notices = []care.Notice{{Level: l, ManagerID: m.ID, Message: care.Outgoing{
			Key: fmt.Sprintf("esc:%d:l%d:m%d", e.ID, l, m.ID), Phone: m.Phone,
			Channel: care.ChannelSMS, Provider: w.smsProvider(m.Phone),
			Body: smsText(escalationText(m.Language, ew, l, w.child(ew.Person, now)), false),
		}}}
		return res
	}
	// Nobody from here up: the escalation stays open in the staff's queue, with whoever was
	// told, or, if nobody ever was, counted as unrouted.
	res.Level, res.Notified, res.NextLevelAt = max(level, e.Level), true, nil
	if res.Level > care.TopLevel {
		res.Level = care.TopLevel
	}
	res.Unrouted = len(ew.Notices) == 0
	return res
}

// child reports whether p may be a child by their year of birth and the local clock.
func (w *worker) child(p *care.Person, now time.Time) bool {
	return p != nil && p.Priority(now.In(w.Location)).Child
}

// caregiverOfUnreachable tells a deaf person's consenting caregiver, with the first telling
// of the "unreachable" escalation, that SMS to the person do not get through: a deaf person
// is never called, so someone near them must hear of it besides the case manager.
func (w *worker) caregiverOfUnreachable(ew care.EscalationWork) []care.Outgoing {
	p := ew.Person
	if ew.Escalation.Reason != care.ReasonUnreachable || p == nil || !p.Has(care.Deaf) || p.SMSUnreachableAt == nil ||
		!p.CaregiverConsent || p.CaregiverPhone == "" {
		return nil
	}
	return []care.Outgoing{{
		Key: fmt.Sprintf("esc:%d:caregiver", ew.Escalation.ID), PersonID: p.ID, Phone: p.CaregiverPhone,
		Channel: care.ChannelSMS, Provider: w.smsProvider(p.CaregiverPhone),
		Body: smsText(unreachableCaregiverText(p.Language, p.Name), p.Diacritics),
	}}
}
