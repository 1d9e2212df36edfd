-- +goose Up
-- What the background workers need beyond the foundation: markers so the dispatcher can find
-- due work with an index scan, and a lease on messages being sent. (Numbered 5: the flows,
-- api and android branches took 2, 3 and 4.)

-- The next occurrence of a schedule not yet materialised as a check-in row; NULL for a new
-- schedule (the dispatcher computes its first occurrence).
ALTER TABLE checkin_schedule ADD COLUMN next_due_at timestamptz;
CREATE INDEX checkin_schedule_next ON checkin_schedule (next_due_at) WHERE active;

-- Whether everyone told of an escalation has heard it was resolved.
ALTER TABLE escalation ADD COLUMN resolve_notified boolean NOT NULL DEFAULT false;
CREATE INDEX escalation_resolved_unannounced ON escalation (resolved_at)
    WHERE status = 'resolved' AND NOT resolve_notified;
-- One open "unreachable" escalation per person: failures after the first add nothing.
CREATE UNIQUE INDEX escalation_one_open_unreachable ON escalation (person_id)
    WHERE reason = 'unreachable' AND status = 'open';

-- A message in 'sending' holds a lease until next_attempt_at; an expired lease (a worker died
-- mid-send) makes it due again.
CREATE INDEX message_sending_lease ON message (next_attempt_at) WHERE direction = 'out' AND status = 'sending';

-- Scheduled appointments by time, to find those whose reminders are not written yet.
CREATE INDEX appointment_upcoming ON appointment (at) WHERE status = 'scheduled';

-- +goose Down
DROP INDEX appointment_upcoming;
DROP INDEX message_sending_lease;
DROP INDEX escalation_one_open_unreachable;
DROP INDEX escalation_resolved_unannounced;
ALTER TABLE escalation DROP COLUMN resolve_notified;
DROP INDEX checkin_schedule_next;
ALTER TABLE checkin_schedule DROP COLUMN next_due_at;
