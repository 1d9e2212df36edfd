-- +goose Up
-- A person with an open case who stops all messages is reported to their case manager: an
-- escalation of its own reason, up the ladder like the others (normal SLA), so nobody drops
-- out of reach without a person knowing.
ALTER TABLE escalation DROP CONSTRAINT escalation_reason_check;
ALTER TABLE escalation ADD CONSTRAINT escalation_reason_check
    CHECK (reason IN ('checkin_missed', 'help_request', 'need_help', 'cannot_come', 'unreachable', 'opted_out'));

-- +goose Down
-- The old rule again, NOT VALID: escalations already opened for an opt-out stay on record
-- rather than being deleted to satisfy it.
ALTER TABLE escalation DROP CONSTRAINT escalation_reason_check;
ALTER TABLE escalation ADD CONSTRAINT escalation_reason_check
    CHECK (reason IN ('checkin_missed', 'help_request', 'need_help', 'cannot_come', 'unreachable')) NOT VALID;
