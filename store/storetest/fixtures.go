package storetest

import (
	"context"
	"time"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store"
)

// Fixtures: rows a test sets up as it likes (any status, any direction), which production
// never writes that way, so the store has no method for them. Each stamps the row with st's
// clock and maps errors as the store does.

// LogMessage appends m to the log as it is and sets its ID and timestamps. An empty
// provider id or idempotency key is stored as none; a repeated (provider, provider id) or
// idempotency key is ECONFLICT, and an outbound message without an idempotency key EINVALID.
func LogMessage(ctx context.Context, st *store.Store, m *care.Message) error {
	if err := store.InsertMessage(ctx, st, m); err != nil {
		return err
	}
	_, err := st.Pool().Exec(ctx, `UPDATE message SET attempts = $2, error_code = $3 WHERE id = $1`,
		int64(m.ID), int32(m.Attempts), m.ErrorCode)
	return store.MapError(err, "log message")
}

// CreateEscalation writes e as it is (any status and level) and sets its ID and
// timestamps; an empty status is open. A second escalation of the same help request, or of
// the same check-in for the same reason, is ECONFLICT.
func CreateEscalation(ctx context.Context, st *store.Store, e *care.Escalation) error {
	if e.Status == "" {
		e.Status = care.EscalationOpen
	}
	if !e.Reason.Valid() {
		return store.MapError(care.FieldError("reason", "unknown escalation reason %q", e.Reason), "create escalation")
	}
	// The store's one write opens it; the state it is set up in follows.
	state := *e
	if err := store.InsertEscalation(ctx, st, e); err != nil {
		return err
	}
	e.Level, e.Status, e.Notified, e.AckedBy, e.AckedAt, e.ResolvedBy, e.ResolvedAt, e.Outcome = state.Level,
		state.Status, state.Notified, state.AckedBy, state.AckedAt, state.ResolvedBy, state.ResolvedAt, state.Outcome
	_, err := st.Pool().Exec(ctx, `
		UPDATE escalation SET level = $2, status = $3, notified = $4, acked_by = NULLIF($5::bigint, 0), acked_at = $6,
			resolved_by = NULLIF($7::bigint, 0), resolved_at = $8, outcome = $9
		WHERE id = $1`,
		int64(e.ID), int16(e.Level), string(e.Status), e.Notified, int64(e.AckedBy), e.AckedAt, int64(e.ResolvedBy),
		e.ResolvedAt, e.Outcome)
	return store.MapError(err, "create escalation")
}

// CreateHelpRequest stores h and sets its ID and CreatedAt; an empty status is open. A zero
// PersonID (an unregistered caller) and an empty commune are stored as unknown.
func CreateHelpRequest(ctx context.Context, st *store.Store, h *care.HelpRequest) error {
	if h.Status == "" {
		h.Status = care.HelpOpen
	}
	return store.InsertHelpRequest(ctx, st, h)
}

// CreateCheckIn stores c and sets its ID; an empty status is pending. A second check-in of
// a schedule at the same time is ECONFLICT.
func CreateCheckIn(ctx context.Context, st *store.Store, c *care.CheckIn) error {
	if c.Status == "" {
		c.Status = care.CheckInPending
	}
	// The store's one write schedules it; the state it is set up in follows.
	status := c.Status
	if err := store.InsertCheckIn(ctx, st, c); err != nil {
		return err
	}
	c.Status = status
	_, err := st.Pool().Exec(ctx, `UPDATE checkin SET status = $2, answered_at = $3 WHERE id = $1`,
		int64(c.ID), string(c.Status), c.AnsweredAt)
	return store.MapError(err, "create check-in")
}

// AnswerCheckIn answers check-in id with a 1 (fine) or 2 (need help) at at (a zero at is
// st's now) by a turn's statement. Another status is EINVALID; an answered or closed
// check-in ECONFLICT.
func AnswerCheckIn(ctx context.Context, st *store.Store, id care.CheckInID, status care.CheckInStatus, at time.Time) error {
	if status != care.CheckInFine && status != care.CheckInNeedHelp {
		return store.MapError(care.FieldError("status", "an answer is fine or need_help, not %q", status), "answer check-in %d", id)
	}
	if at.IsZero() {
		at = st.Now()
	}
	return store.AnswerCheckIn(ctx, st, id, status, at)
}

// UpdatePerson saves p through the API's audited write (ChangePersonAs, by nobody): every
// field but ID, CreatedAt and SMSUnreachableAt, which a new phone number clears. p becomes
// the person as saved (its UpdatedAt, its SMSUnreachableAt as it stands).
func UpdatePerson(ctx context.Context, st *store.Store, p *care.Person) error {
	saved, err := st.ChangePersonAs(ctx, 0, p.ID, func(q *care.Person) (string, []string, error) {
		id, created, unreachable := q.ID, q.CreatedAt, q.SMSUnreachableAt
		*q = *p
		q.ID, q.CreatedAt, q.SMSUnreachableAt = id, created, unreachable
		return care.AuditPersonUpdate, nil, nil
	})
	if err != nil {
		return err
	}
	*p = *saved
	return nil
}

// The readers below read with the store's own columns and scans (store.ReadMessage and
// the like); a missing row is ENOTFOUND.

// Message returns the message with id.
func Message(ctx context.Context, st *store.Store, id care.MessageID) (*care.Message, error) {
	return store.ReadMessage(ctx, st, `id = $1`, int64(id))
}

// MessageByProviderID returns the message provider p knows as providerID.
func MessageByProviderID(ctx context.Context, st *store.Store, p care.Provider, providerID string) (*care.Message, error) {
	return store.ReadMessage(ctx, st, `provider = $1 AND provider_id = $2`, string(p), providerID)
}

// CheckIn returns the check-in with id.
func CheckIn(ctx context.Context, st *store.Store, id care.CheckInID) (*care.CheckIn, error) {
	return store.ReadCheckIn(ctx, st, `id = $1`, int64(id))
}

// AuditLog returns the audit entries of one record (entity as the API names it, e.g.
// "person"), oldest first.
func AuditLog(ctx context.Context, st *store.Store, entity string, id int64) ([]care.AuditEntry, error) {
	return store.ReadAuditLog(ctx, st, `entity = $1 AND entity_id = $2 ORDER BY at, id`, entity, id)
}

// PersonByPhone returns the person registered with phone.
func PersonByPhone(ctx context.Context, st *store.Store, phone care.Phone) (*care.Person, error) {
	return store.ReadPerson(ctx, st, `phone = $1`, phone.E164())
}
