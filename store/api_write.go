package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

var _ care.APIStore = (*Store)(nil)

// The writes of the case-manager API. Each makes its change and writes the audit_log row
// recording it in one transaction, so there is no change without its record and no record
// of a change that rolled back. They keep the rules of the plain methods of the same name
// (validation, guards, row locks, which reminders a moved appointment cancels); the plain
// methods stay for flows and workers, which are audited by the message log instead.

// CreatePersonAs is CreatePerson, audited.
func (s *Store) CreatePersonAs(ctx context.Context, by care.ManagerID, p *care.Person) error {
	if err := p.Validate(); err != nil {
		return mapError(err, "create person")
	}
	if p.Profile == nil {
		p.Profile = []care.Disability{}
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO person (phone, name, commune, language, profile, channel, diacritics, consent_at,
				caregiver_name, caregiver_phone, caregiver_consent, registered_by, pin_hash, status,
				created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
			RETURNING id`,
			p.Phone.E164(), p.Name, string(p.Commune), string(p.Language), profileText(p.Profile),
			string(p.Channel), p.Diacritics, p.ConsentAt, p.CaregiverName, nullText(p.CaregiverPhone.E164()),
			p.CaregiverConsent, nullText(p.RegisteredBy.E164()), nullText(p.PINHash), string(p.Status), now,
		).Scan(&p.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditPersonCreate, "person", int64(p.ID), map[string]any{"commune": p.Commune})
	})
	if err != nil {
		return mapError(err, "create person")
	}
	p.CreatedAt, p.UpdatedAt = now, now
	return nil
}

// ChangePersonAs loads person id under a row lock, applies change, validates and saves
// the result with its audit entry (the action and field names change returns), in one
// transaction. An error from change rolls back and comes back as change returned it.
func (s *Store) ChangePersonAs(ctx context.Context, by care.ManagerID, id care.PersonID, change care.PersonChange) (*care.Person, error) {
	var p *care.Person
	var changeErr error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if p, err = scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person WHERE id = $1 FOR UPDATE`, int64(id))); err != nil {
			return err
		}
		action, fields, err := change(p)
		if err != nil {
			changeErr = err
			return err
		}
		if err := p.Validate(); err != nil {
			return err
		}
		if p.Profile == nil {
			p.Profile = []care.Disability{}
		}
		if fields == nil {
			fields = []string{}
		}
		p.UpdatedAt = s.now()
		_, err = tx.Exec(ctx, `
			UPDATE person SET phone = $2, name = $3, commune = $4, language = $5, profile = $6, channel = $7,
				diacritics = $8, consent_at = $9, caregiver_name = $10, caregiver_phone = $11,
				caregiver_consent = $12, registered_by = $13, pin_hash = $14, status = $15, updated_at = $16
			WHERE id = $1`,
			int64(p.ID), p.Phone.E164(), p.Name, string(p.Commune), string(p.Language), profileText(p.Profile),
			string(p.Channel), p.Diacritics, p.ConsentAt, p.CaregiverName, nullText(p.CaregiverPhone.E164()),
			p.CaregiverConsent, nullText(p.RegisteredBy.E164()), nullText(p.PINHash), string(p.Status), p.UpdatedAt,
		)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, action, "person", int64(p.ID), map[string]any{"fields": fields})
	})
	if changeErr != nil {
		return nil, changeErr
	}
	if err != nil {
		return nil, mapError(err, "change person %d", id)
	}
	return p, nil
}

// OpenCaseAs is OpenCase, audited.
func (s *Store) OpenCaseAs(ctx context.Context, by care.ManagerID, c *care.Case) error {
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO care_case (person_id, manager_id, commune, step, opened_at, updated_at)
			VALUES ($1, $2, COALESCE(NULLIF($3, ''), (SELECT commune FROM person WHERE id = $1)), 'assessment', $4, $4)
			RETURNING id, commune`,
			int64(c.PersonID), int64(c.ManagerID), string(c.Commune), now,
		).Scan(&c.ID, &c.Commune)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditCaseOpen, "case", int64(c.ID),
			map[string]any{"person_id": int64(c.PersonID), "manager_id": int64(c.ManagerID)})
	})
	if err != nil {
		return mapError(err, "open case of person %d", c.PersonID)
	}
	c.Step, c.OpenedAt, c.UpdatedAt, c.ClosedAt = care.StepAssessment, now, now, nil
	return nil
}

// MoveCaseAs is MoveCase by staff member by, audited with the event and the steps.
func (s *Store) MoveCaseAs(ctx context.Context, by care.ManagerID, id care.CaseID, ev care.CaseEvent, note string) (*care.Case, error) {
	var moved *care.Case
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM care_case WHERE id = $1 FOR UPDATE`, int64(id)))
		if err != nil {
			return err
		}
		// Read after the lock is held, as MoveCase does.
		var facts care.CaseFacts
		err = tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM assessment WHERE case_id = $1),
				EXISTS (SELECT 1 FROM support_plan WHERE case_id = $1 AND status = 'approved')`, int64(id),
		).Scan(&facts.HasAssessment, &facts.PlanApproved)
		if err != nil {
			return err
		}
		tr, err := c.Move(ctx, ev, facts, by, s.now(), note)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			WITH moved AS (
				UPDATE care_case SET step = $3, closed_at = $4, updated_at = $5 WHERE id = $1
			)
			INSERT INTO case_transition (case_id, event, from_step, to_step, by_id, at, note)
			VALUES ($1, $6, $2, $3, $7, $5, $8)`,
			int64(id), string(tr.From), string(tr.To), c.ClosedAt, tr.At, string(tr.Event), int64(tr.By), tr.Note)
		if err != nil {
			return err
		}
		moved = c
		return s.audit(ctx, tx, by, care.AuditCaseMove, "case", int64(id),
			map[string]any{"event": tr.Event, "from": tr.From, "to": tr.To})
	})
	if err != nil {
		return nil, mapError(err, "move case %d (%s)", id, ev)
	}
	return moved, nil
}

// RecordAssessmentAs is RecordAssessment, audited with the case and the need areas.
func (s *Store) RecordAssessmentAs(ctx context.Context, by care.ManagerID, a *care.Assessment) error {
	if err := a.Validate(); err != nil {
		return mapError(err, "record assessment of case %d", a.CaseID)
	}
	at := s.orNow(a.AssessedAt)
	areas, priorities, notes := make([]string, len(a.Needs)), make([]int32, len(a.Needs)), make([]string, len(a.Needs))
	for i, n := range a.Needs {
		areas[i], priorities[i], notes[i] = string(n.Area), int32(n.Priority), n.Note
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			WITH a AS (
				INSERT INTO assessment (case_id, assessed_by, assessed_at, summary) VALUES ($1, $2, $3, $4)
				RETURNING id
			), n AS (
				INSERT INTO assessment_need (assessment_id, area, priority, note)
				SELECT a.id, x.area, x.priority, x.note
				FROM a, unnest($5::text[], $6::int[], $7::text[]) AS x (area, priority, note)
			)
			SELECT id FROM a`,
			int64(a.CaseID), int64(a.AssessedBy), at, a.Summary, areas, priorities, notes,
		).Scan(&id)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditAssessmentRecord, "assessment", id,
			map[string]any{"case_id": int64(a.CaseID), "areas": areas})
	})
	if err != nil {
		return mapError(err, "record assessment of case %d", a.CaseID)
	}
	a.ID, a.AssessedAt = care.AssessmentID(id), at
	return nil
}

// CreatePlanAs is CreatePlan, audited with the case and how many goals and services.
func (s *Store) CreatePlanAs(ctx context.Context, by care.ManagerID, p *care.SupportPlan) error {
	if p.Status == "" {
		p.Status = care.PlanDraft
	}
	if p.Services == nil {
		p.Services = []care.PlanService{}
	}
	for i := range p.Services {
		if p.Services[i].Status == "" {
			p.Services[i].Status = care.ServicePlanned
		}
	}
	if err := p.Validate(); err != nil {
		return mapError(err, "create plan for case %d", p.CaseID)
	}
	if p.Status != care.PlanDraft || p.ApprovedBy != 0 || p.ApprovedAt != nil {
		return mapError(care.FieldError("status", "a new plan is a draft; approve it with ApprovePlan"), "create plan for case %d", p.CaseID)
	}
	now := s.now()
	ids := make([]int64, len(p.Services))
	var planID int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The case lock serialises plan changes with MoveCase, as in CreatePlan.
		var caseID int64
		if err := tx.QueryRow(ctx, `SELECT id FROM care_case WHERE id = $1 FOR UPDATE`, int64(p.CaseID)).Scan(&caseID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE support_plan SET status = 'replaced' WHERE case_id = $1 AND status <> 'replaced'`, caseID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO support_plan (case_id, goals, status, created_by, created_at, approver_name)
			VALUES ($1, $2, 'draft', $3, $4, $5)
			RETURNING id`,
			caseID, p.Goals, int64(p.CreatedBy), now, p.ApproverName,
		).Scan(&planID)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		for i, sv := range p.Services {
			b.Queue(`
				INSERT INTO plan_service (plan_id, area, description, provider, due, status)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				planID, string(sv.Area), sv.Description, sv.Provider, dueDate(sv.Due), string(sv.Status),
			).QueryRow(func(row pgx.Row) error { return row.Scan(&ids[i]) })
		}
		b.Queue(`INSERT INTO audit_log (actor_id, action, entity, entity_id, detail, at) VALUES ($1, $2, 'plan', $3, $4, $5)`,
			nullID(by), care.AuditPlanCreate, planID,
			map[string]any{"case_id": caseID, "goals": len(p.Goals), "services": len(p.Services)}, now)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return mapError(err, "create plan for case %d", p.CaseID)
	}
	p.ID, p.CreatedAt = care.PlanID(planID), now
	for i := range p.Services {
		p.Services[i].ID = care.ServiceID(ids[i])
		p.Services[i].Due = dueDate(p.Services[i].Due)
	}
	return nil
}

// ApprovePlanAs is ApprovePlan by staff member by, audited.
func (s *Store) ApprovePlanAs(ctx context.Context, by care.ManagerID, id care.PlanID, approverName string, at time.Time) error {
	at = s.orNow(at)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var status care.PlanStatus
		var caseID int64
		if err := tx.QueryRow(ctx, `SELECT status, case_id FROM support_plan WHERE id = $1 FOR UPDATE`, int64(id)).Scan(&status, &caseID); err != nil {
			return err
		}
		var role care.Role
		var active bool
		err := tx.QueryRow(ctx, `SELECT role, active FROM case_manager WHERE id = $1`, int64(by)).Scan(&role, &active)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && (!active || (role != care.RoleApprover && role != care.RoleAdmin))) {
			return care.Errorf(care.EUNAUTHORIZED, "only an approver may approve a support plan")
		}
		if err != nil {
			return err
		}
		switch status {
		case care.PlanApproved:
			return care.Errorf(care.ECONFLICT, "the plan is already approved")
		case care.PlanReplaced:
			return care.Errorf(care.ECONFLICT, "the plan was replaced by a newer one")
		}
		_, err = tx.Exec(ctx, `
			UPDATE support_plan SET status = 'approved', approved_by = $2, approver_name = $3, approved_at = $4
			WHERE id = $1`, int64(id), int64(by), approverName, at)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditPlanApprove, "plan", int64(id), map[string]any{"case_id": caseID})
	})
	if err != nil {
		return mapError(err, "approve plan %d", id)
	}
	return nil
}

// SetServiceStatusAs is SetServiceStatus, audited with the new status.
func (s *Store) SetServiceStatusAs(ctx context.Context, by care.ManagerID, id care.ServiceID, st care.ServiceStatus) error {
	if !st.Valid() {
		return mapError(care.FieldError("status", "unknown service status %q", st), "set status of service %d", id)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE plan_service SET status = $2 WHERE id = $1`, int64(id), string(st))
		if err == nil && tag.RowsAffected() == 0 {
			err = notFound()
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditServiceStatus, "service", int64(id), map[string]any{"status": st})
	})
	if err != nil {
		return mapError(err, "set status of service %d", id)
	}
	return nil
}

// CreateAppointmentAs is CreateAppointment, audited.
func (s *Store) CreateAppointmentAs(ctx context.Context, by care.ManagerID, a *care.Appointment) error {
	if a.Status == "" {
		a.Status = care.AppointmentScheduled
	}
	if a.Version == 0 {
		a.Version = 1
	}
	if a.At.IsZero() {
		return mapError(care.FieldError("at", "an appointment needs a time"), "create appointment")
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO appointment (case_id, person_id, at, place, purpose, status, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
			RETURNING id`,
			int64(a.CaseID), int64(a.PersonID), a.At, a.Place, a.Purpose, string(a.Status), int32(a.Version), now,
		).Scan(&a.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditAppointmentCreate, "appointment", int64(a.ID),
			map[string]any{"case_id": int64(a.CaseID), "at": a.At.UTC()})
	})
	if err != nil {
		return mapError(err, "create appointment")
	}
	a.CreatedAt, a.UpdatedAt = now, now
	return nil
}

// MoveAppointmentAs is MoveAppointment, audited: the version goes up and the pending
// reminders of older versions are cancelled in the same transaction.
func (s *Store) MoveAppointmentAs(ctx context.Context, by care.ManagerID, id care.AppointmentID, at time.Time, place string) (*care.Appointment, error) {
	if at.IsZero() {
		return nil, mapError(care.FieldError("at", "an appointment needs a time"), "move appointment %d", id)
	}
	var a *care.Appointment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		a, err = scanAppointment(tx.QueryRow(ctx, `
			UPDATE appointment SET at = $2, place = $3, version = version + 1, updated_at = $4
			WHERE id = $1 AND status = 'scheduled'
			RETURNING `+appointmentColumns, int64(id), at, place, s.now()))
		if err != nil {
			return s.whyNot(ctx, tx, err, `SELECT EXISTS (SELECT 1 FROM appointment WHERE id = $1)`, int64(id),
				"only a scheduled appointment can be moved")
		}
		_, err = tx.Exec(ctx, `
			UPDATE reminder SET status = 'cancelled'
			WHERE appointment_id = $1 AND version < $2 AND status = 'pending'`, int64(id), int32(a.Version))
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditAppointmentMove, "appointment", int64(id),
			map[string]any{"at": a.At, "version": a.Version})
	})
	if err != nil {
		return nil, mapError(err, "move appointment %d", id)
	}
	return a, nil
}

// CancelAppointmentAs is CancelAppointment, audited; cancelling a cancelled appointment
// again changes nothing and records nothing.
func (s *Store) CancelAppointmentAs(ctx context.Context, by care.ManagerID, id care.AppointmentID) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var status care.AppointmentStatus
		if err := tx.QueryRow(ctx, `SELECT status FROM appointment WHERE id = $1 FOR UPDATE`, int64(id)).Scan(&status); err != nil {
			return err
		}
		switch status {
		case care.AppointmentCancelled:
			return nil
		case care.AppointmentScheduled:
		default:
			return care.Errorf(care.ECONFLICT, "the appointment is %s", status)
		}
		_, err := tx.Exec(ctx, `
			WITH c AS (UPDATE appointment SET status = 'cancelled', updated_at = $2 WHERE id = $1)
			UPDATE reminder SET status = 'cancelled' WHERE appointment_id = $1 AND status = 'pending'`,
			int64(id), s.now())
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditAppointmentCancel, "appointment", int64(id), nil)
	})
	if err != nil {
		return mapError(err, "cancel appointment %d", id)
	}
	return nil
}

// CreateScheduleAs is CreateSchedule, audited.
func (s *Store) CreateScheduleAs(ctx context.Context, by care.ManagerID, sc *care.CheckInSchedule) error {
	if sc.Window == 0 {
		sc.Window = DefaultCheckInWindow
	}
	if sc.Window%time.Minute != 0 {
		return mapError(care.FieldError("window", "the window must be whole minutes"), "create check-in schedule")
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO checkin_schedule (case_id, weekday, minute_of_day, window_minutes, active, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING id`,
			int64(sc.CaseID), int16(sc.Weekday), int32(sc.Minute), int32(sc.Window/time.Minute), sc.Active, now,
		).Scan(&sc.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditScheduleCreate, "schedule", int64(sc.ID),
			map[string]any{"case_id": int64(sc.CaseID), "weekday": int(sc.Weekday), "minute": sc.Minute})
	})
	if err != nil {
		return mapError(err, "create check-in schedule")
	}
	sc.CreatedAt = now
	return nil
}

// DeactivateScheduleAs stops a check-in schedule and cancels its check-ins not sent yet
// (those already sent can still be answered), audited. Deactivating an inactive schedule
// again changes nothing and records nothing.
func (s *Store) DeactivateScheduleAs(ctx context.Context, by care.ManagerID, id care.ScheduleID) (*care.CheckInSchedule, error) {
	var sc *care.CheckInSchedule
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		sc, err = scanSchedule(tx.QueryRow(ctx, `SELECT `+scheduleColumns+` FROM checkin_schedule WHERE id = $1 FOR UPDATE`, int64(id)))
		if err != nil || !sc.Active {
			return err
		}
		_, err = tx.Exec(ctx, `
			WITH d AS (UPDATE checkin_schedule SET active = false WHERE id = $1)
			UPDATE checkin SET status = 'cancelled' WHERE schedule_id = $1 AND status = 'pending'`, int64(id))
		if err != nil {
			return err
		}
		sc.Active = false
		return s.audit(ctx, tx, by, care.AuditScheduleDeactivate, "schedule", int64(id), nil)
	})
	if err != nil {
		return nil, mapError(err, "deactivate check-in schedule %d", id)
	}
	return sc, nil
}

// ResolveHelpRequestAs marks an open help request resolved, audited; a resolved one is
// ECONFLICT. Its escalation, if any, is resolved on its own.
func (s *Store) ResolveHelpRequestAs(ctx context.Context, by care.ManagerID, id care.HelpRequestID) (*care.HelpRequest, error) {
	var h *care.HelpRequest
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		h, err = scanHelp(tx.QueryRow(ctx, `
			UPDATE help_request SET status = 'resolved' WHERE id = $1 AND status = 'open' RETURNING `+helpColumns, int64(id)))
		if err != nil {
			return s.whyNot(ctx, tx, err, `SELECT EXISTS (SELECT 1 FROM help_request WHERE id = $1)`, int64(id),
				"the help request was already resolved")
		}
		return s.audit(ctx, tx, by, care.AuditHelpResolve, "help_request", int64(id), nil)
	})
	if err != nil {
		return nil, mapError(err, "resolve help request %d", id)
	}
	return h, nil
}

// AcknowledgeEscalationAs is AcknowledgeEscalation, audited: the escalation stops climbing.
func (s *Store) AcknowledgeEscalationAs(ctx context.Context, by care.ManagerID, id care.EscalationID, at time.Time) (*care.Escalation, error) {
	var e *care.Escalation
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		e, err = scanEscalation(tx.QueryRow(ctx, `
			UPDATE escalation SET status = 'acknowledged', acked_by = $2, acked_at = $3, next_level_at = NULL, updated_at = $4
			WHERE id = $1 AND status = 'open'
			RETURNING `+escalationColumns, int64(id), int64(by), s.orNow(at), s.now()))
		if err != nil {
			return s.whyNot(ctx, tx, err, `SELECT EXISTS (SELECT 1 FROM escalation WHERE id = $1)`, int64(id),
				"the escalation was already acknowledged or resolved")
		}
		return s.audit(ctx, tx, by, care.AuditEscalationAck, "escalation", int64(id), map[string]any{"level": int(e.Level)})
	})
	if err != nil {
		return nil, mapError(err, "acknowledge escalation %d", id)
	}
	return e, nil
}

// ResolveEscalationAs is ResolveEscalation, audited (without the outcome note, which is
// free text).
func (s *Store) ResolveEscalationAs(ctx context.Context, by care.ManagerID, id care.EscalationID, outcome string, at time.Time) (*care.Escalation, error) {
	var e *care.Escalation
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		e, err = scanEscalation(tx.QueryRow(ctx, `
			UPDATE escalation SET status = 'resolved', resolved_by = $2, resolved_at = $3, outcome = $4,
				next_level_at = NULL, updated_at = $5
			WHERE id = $1 AND status IN ('open', 'acknowledged')
			RETURNING `+escalationColumns, int64(id), int64(by), s.orNow(at), outcome, s.now()))
		if err != nil {
			return s.whyNot(ctx, tx, err, `SELECT EXISTS (SELECT 1 FROM escalation WHERE id = $1)`, int64(id),
				"the escalation was already resolved")
		}
		return s.audit(ctx, tx, by, care.AuditEscalationResolve, "escalation", int64(id), nil)
	})
	if err != nil {
		return nil, mapError(err, "resolve escalation %d", id)
	}
	return e, nil
}
