package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/caseline/caseline/care"
)

var _ care.APIStore = (*Store)(nil)

// The writes of the case-manager API. Each makes its change and writes the audit_log row
// recording it in one transaction, so there is no change without its record and no record
// of a change that rolled back. Each runs the same unexported core as the plain method of
// the same name (insertPerson, moveCase, createPlan, …), so the two keep one set of rules
// (validation, guards, row locks, which reminders a moved appointment cancels); the plain
// methods stay for flows and workers, which are audited by the message log instead.

// CreatePersonAs is CreatePerson, audited.
func (s *Store) CreatePersonAs(ctx context.Context, by care.ManagerID, p *care.Person) error {
	if err := readyPerson(p); err != nil {
		return mapError(err, "create person")
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := insertPerson(ctx, tx, p, now); err != nil {
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
		if err := readyPerson(p); err != nil {
			return err
		}
		if fields == nil {
			fields = []string{}
		}
		p.UpdatedAt = s.now()
		if err := updatePerson(ctx, tx, p, p.UpdatedAt); err != nil {
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
		if err := insertCase(ctx, tx, c, now); err != nil {
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
		c, tr, err := s.moveCase(ctx, tx, id, ev, by, note)
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
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var areas []string
		var err error
		if id, areas, err = insertAssessment(ctx, tx, a, at); err != nil {
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

// CreatePlanAs is CreatePlan, audited with the case and how many goals and services. The
// audit row goes in the batch that inserts the services: no extra round trip.
func (s *Store) CreatePlanAs(ctx context.Context, by care.ManagerID, p *care.SupportPlan) error {
	return s.createPlan(ctx, p, func(b *pgx.Batch, planID int64, now time.Time) {
		queueAudit(b, by, care.AuditPlanCreate, "plan", planID,
			map[string]any{"case_id": int64(p.CaseID), "goals": len(p.Goals), "services": len(p.Services)}, now)
	})
}

// SetServiceStatusAs is SetServiceStatus, audited with the new status.
func (s *Store) SetServiceStatusAs(ctx context.Context, by care.ManagerID, id care.ServiceID, st care.ServiceStatus) error {
	if err := validServiceStatus(st); err != nil {
		return mapError(err, "set status of service %d", id)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := setServiceStatus(ctx, tx, id, st); err != nil {
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
	if err := readyAppointment(a); err != nil {
		return mapError(err, "create appointment")
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := insertAppointment(ctx, tx, a, now); err != nil {
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
	if err := needTime(at); err != nil {
		return nil, mapError(err, "move appointment %d", id)
	}
	var a *care.Appointment
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if a, err = s.moveAppointment(ctx, tx, id, at, place); err != nil {
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
		changed, err := s.cancelAppointment(ctx, tx, id)
		if err != nil || !changed {
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
	if err := readySchedule(sc); err != nil {
		return mapError(err, "create check-in schedule")
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := insertSchedule(ctx, tx, sc, now); err != nil {
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
		if e, err = s.acknowledgeEscalation(ctx, tx, id, by, at); err != nil {
			return err
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
		if e, err = s.resolveEscalation(ctx, tx, id, by, outcome, at); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, care.AuditEscalationResolve, "escalation", int64(id), nil)
	})
	if err != nil {
		return nil, mapError(err, "resolve escalation %d", id)
	}
	return e, nil
}
