package workers

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
)

// handleCheckIn runs one stage of a monitoring check-in: send it at its due time, ask again
// half-way (the consenting caregiver too), and open an escalation when the deadline passes
// unanswered. A check-in answered, cancelled or past the stage does nothing.
func (w *worker) handleCheckIn(ctx context.Context, p Payload) error {
	now := w.Clock.Now()
	var outs []care.Outgoing
	out, err := w.Store.RunCheckIn(ctx, care.CheckInID(p.ID), now, func(cw care.CheckInWork) (care.CheckInResult, error) {
		res := w.decideCheckIn(cw, p.Stage, now)
		outs = res.Messages
		return res, nil
	})
	if care.ErrorCode(err) == care.ENOTFOUND {
		zerolog.Ctx(ctx).Warn().Int64("checkin", p.ID).Msg("check-in gone")
		return nil
	}
	if err != nil {
		return fmt.Errorf("check-in %d %s: %w", p.ID, p.Stage, err)
	}
	w.kickMessages(ctx, out.Messages, outs)
	if out.Escalation != 0 {
		w.kick(ctx, care.DueItem{Kind: care.WorkEscalation, ID: int64(out.Escalation), Stage: care.StageNotify, N: 0, At: now})
	}
	return nil
}

func (w *worker) decideCheckIn(cw care.CheckInWork, stage string, now time.Time) care.CheckInResult {
	c, person := cw.CheckIn, cw.Person
	res := care.CheckInResult{Status: c.Status}
	if !c.Status.Open() {
		return res
	}
	if person.Status != care.PersonActive {
		res.Status = care.CheckInCancelled // opted out or unreachable: nothing goes
		return res
	}
	about := fmt.Sprintf("checkin:%d", c.ID)
	key := about + ":"
	switch stage {
	case care.StageSend:
		if c.Status != care.CheckInPending || c.DueAt.After(now) || !now.Before(c.DeadlineAt) {
			return res
		}
		res.Status = care.CheckInSent
		if !now.Before(c.RetryAt) {
			res.Status = care.CheckInRetried // sent late: this is the one reminder it gets
		}
		res.Messages = []care.Outgoing{w.toPerson(person, key+"send", about, checkInText(person.Language, false))}
	case care.StageRetry:
		if c.Status != care.CheckInSent || c.RetryAt.After(now) || !now.Before(c.DeadlineAt) {
			return res
		}
		res.Status = care.CheckInRetried
		res.Messages = []care.Outgoing{w.toPerson(person, key+"retry", about, checkInText(person.Language, true))}
		if person.CaregiverConsent && person.CaregiverPhone != "" {
			res.Messages = append(res.Messages, care.Outgoing{
				Key: key + "retry:caregiver", PersonID: person.ID, Phone: person.CaregiverPhone,
				Channel: care.ChannelSMS, Provider: w.smsProvider(person.CaregiverPhone),
				Body: smsText(caregiverText(person.Language, person.Name), person.Diacritics),
			})
		}
	case care.StageDeadline:
		if c.DeadlineAt.After(now) {
			return res
		}
		next := now.Add(w.SLA.For(false))
		res.Status = care.CheckInMissed
		res.Escalation = &care.Escalation{
			Reason: care.ReasonCheckInMissed, PersonID: person.ID, CaseID: cw.Case.ID, Commune: cw.Case.Commune,
			CheckInID: c.ID, NextLevelAt: &next,
		}
	}
	return res
}

// toPerson is a message to a person on their channel: a call about about for blind people
// (the gateway renders it), an SMS of text otherwise.
func (w *worker) toPerson(person care.Person, key, about, text string) care.Outgoing {
	out := care.Outgoing{Key: key, PersonID: person.ID, Phone: person.Phone}
	if person.ReachBy() == care.ChannelVoice {
		out.Channel, out.Provider, out.Body = care.ChannelVoice, care.ProviderTwilio, about
		return out
	}
	out.Channel, out.Provider, out.Body = care.ChannelSMS, w.smsProvider(person.Phone), smsText(text, person.Diacritics)
	return out
}
