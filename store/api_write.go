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
		return auditEntry{by: by, action: care.AuditPersonCreate, entity: "person", id: int64(p.ID),
			detail: map[string]any{"commune": p.Commune}, at: s.now()}.exec(ctx, tx)
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
		return auditEntry{by: by, action: action, entity: "person", id: int64(p.ID),
			detail: map[string]any{"fields": fields}, at: s.now()}.exec(ctx, tx)
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
		return auditEntry{by: by, action: care.AuditCaseOpen, entity: "case", id: int64(c.ID),
			detail: map[string]any{"person_id": int64(c.PersonID), "manager_id": int64(c.ManagerID)}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return mapError(err, "open case of person %d", c.PersonID)
	}
	c.Step, c.OpenedAt, c.UpdatedAt, c.ClosedAt = care.StepAssessment, now, now, nil
	return nil
}

// MoveCaseAs applies ev to case id as staff member by (moveCase) and writes the audit entry
// with the event and the steps, in one transaction. Illegal moves are EINVALID and change
// nothing.
func (s *Store) MoveCaseAs(ctx context.Context, by care.ManagerID, id care.CaseID, ev care.CaseEvent, note string) (*care.Case, error) {
	var moved *care.Case
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		c, tr, err := s.moveCase(ctx, tx, id, ev, by, note)
		if err != nil {
			return err
		}
		moved = c
		return auditEntry{by: by, action: care.AuditCaseMove, entity: "case", id: int64(id),
			detail: map[string]any{"event": tr.Event, "from": tr.From, "to": tr.To}, at: s.now()}.exec(ctx, tx)
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
		return auditEntry{by: by, action: care.AuditAssessmentRecord, entity: "assessment", id: id,
			detail: map[string]any{"case_id": int64(a.CaseID), "areas": areas}, at: s.now()}.exec(ctx, tx)
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
		auditEntry{by: by, action: care.AuditPlanCreate, entity: "plan", id: planID,
			detail: map[string]any{"case_id": int64(p.CaseID), "goals": len(p.Goals), "services": len(p.Services)}, at: now}.queue(b)
	})
}

// SetServiceStatusAs records how a planned service is going, audited with the new status.
func (s *Store) SetServiceStatusAs(ctx context.Context, by care.ManagerID, id care.ServiceID, st care.ServiceStatus) error {
	if err := validServiceStatus(st); err != nil {
		return mapError(err, "set status of service %d", id)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := setServiceStatus(ctx, tx, id, st); err != nil {
			return err
		}
		return auditEntry{by: by, action: care.AuditServiceStatus, entity: "service", id: int64(id),
			detail: map[string]any{"status": st}, at: s.now()}.exec(ctx, tx)
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
		return auditEntry{by: by, action: care.AuditAppointmentCreate, entity: "appointment", id: int64(a.ID),
			detail: map[string]any{"case_id": int64(a.CaseID), "at": a.At.UTC()}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return mapError(err, "create appointment")
	}
	a.CreatedAt, a.UpdatedAt = now, now
	return nil
}

// MoveAppointmentAs sets a new time and place on a scheduled appointment and bumps its
// version, audited; the pending reminders of older versions are cancelled in the same
// transaction, so no stale reminder goes. Moving one that is not scheduled is ECONFLICT.
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
		return auditEntry{by: by, action: care.AuditAppointmentMove, entity: "appointment", id: int64(id),
			detail: map[string]any{"at": a.At, "version": a.Version}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return nil, mapError(err, "move appointment %d", id)
	}
	return a, nil
}

// CancelAppointmentAs cancels a scheduled appointment and its pending reminders, audited;
// cancelling a cancelled one again changes nothing and records nothing, one that is done or
// missed is ECONFLICT.
func (s *Store) CancelAppointmentAs(ctx context.Context, by care.ManagerID, id care.AppointmentID) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		changed, err := s.cancelAppointment(ctx, tx, id)
		if err != nil || !changed {
			return err
		}
		return auditEntry{by: by, action: care.AuditAppointmentCancel, entity: "appointment", id: int64(id), at: s.now()}.exec(ctx, tx)
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
		return auditEntry{by: by, action: care.AuditScheduleCreate, entity: "schedule", id: int64(sc.ID),
			detail: map[string]any{"case_id": int64(sc.CaseID), "weekday": int(sc.Weekday), "minute": sc.Minute}, at: s.now()}.exec(ctx, tx)
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
		sc.Active = false
		b := &pgx.Batch{}
		checkInStop{schedule: id, statuses: unsentCheckIns}.queue(b)
		auditEntry{by: by, action: care.AuditScheduleDeactivate, entity: "schedule", id: int64(id), at: s.now()}.queue(b)
		return tx.SendBatch(ctx, b).Close()
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
		return auditEntry{by: by, action: care.AuditHelpResolve, entity: "help_request", id: int64(id), at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return nil, mapError(err, "resolve help request %d", id)
	}
	return h, nil
}

// ResolveEscalationAs closes an open or acknowledged escalation with its outcome, resolved
// by by at at (a zero at is now), audited (without the outcome note, which is free text);
// resolving it twice is ECONFLICT.
func (s *Store) ResolveEscalationAs(ctx context.Context, by care.ManagerID, id care.EscalationID, outcome string, at time.Time) (*care.Escalation, error) {
	var e *care.Escalation
	b := &pgx.Batch{}
	resolution{id: id, by: by, outcome: outcome, at: s.orNow(at), now: s.now()}.queue(b, func(row pgx.Row) error {
		var err error
		e, err = scanEscalation(row)
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		err = s.whyNot(ctx, s.pool, err, `SELECT EXISTS (SELECT 1 FROM escalation WHERE id = $1)`, int64(id),
			"the escalation was already resolved")
		return nil, mapError(err, "resolve escalation %d", id)
	}
	return e, nil
}

// ReassignCaseAs hands an open case to another case manager of its commune, audited with
// both. Its open escalations still at the case manager's rung are marked not yet told, so
// the escalation worker's next pass tells the new case manager (its ladder reads the case's
// manager when it runs); those higher up the ladder go on climbing as they were.
func (s *Store) ReassignCaseAs(ctx context.Context, by care.ManagerID, id care.CaseID, to care.ManagerID) (*care.Case, error) {
	var c *care.Case
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if c, err = scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM care_case WHERE id = $1 FOR UPDATE`, int64(id))); err != nil {
			return err
		}
		if c.Step == care.StepClosed {
			return care.Errorf(care.ECONFLICT, "the case is closed")
		}
		var ok bool
		err = tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM case_manager WHERE id = $1 AND active AND commune = $2
				AND role IN ('case_manager', 'supervisor', 'duty_officer') FOR SHARE)`, int64(to), string(c.Commune)).Scan(&ok)
		switch {
		case err != nil:
			return err
		case !ok:
			return care.FieldError("manager_id", "not an active case manager of commune %s", c.Commune)
		case c.ManagerID == to:
			return care.Errorf(care.ECONFLICT, "the case is already theirs")
		}
		from := c.ManagerID
		now := s.now()
		if err := (newManager{kase: id, to: to, now: now}).exec(ctx, tx); err != nil {
			return err
		}
		c.ManagerID, c.UpdatedAt = to, now
		return auditEntry{by: by, action: care.AuditCaseReassign, entity: "case", id: int64(id),
			detail: map[string]any{"from": int64(from), "to": int64(to)}, at: s.now()}.exec(ctx, tx)
	})
	if err != nil {
		return nil, mapError(err, "reassign case %d", id)
	}
	return c, nil
}
