-- +goose Up
-- A person who registers in a commune with no active staff has nobody to open their case:
-- the on-call roster is told by an escalation of its own reason, so the registration does
-- not wait unseen for a commune officer who does not exist.
ALTER TABLE escalation DROP CONSTRAINT escalation_reason_check;
ALTER TABLE escalation ADD CONSTRAINT escalation_reason_check
    CHECK (reason IN ('checkin_missed', 'help_request', 'need_help', 'cannot_come', 'unreachable', 'opted_out', 'unassigned'));

-- +goose Down
-- The old rule again, NOT VALID: escalations already opened for an unassigned registration
-- stay on record rather than being deleted to satisfy it.
ALTER TABLE escalation DROP CONSTRAINT escalation_reason_check;
ALTER TABLE escalation ADD CONSTRAINT escalation_reason_check
    CHECK (reason IN ('checkin_missed', 'help_request', 'need_help', 'cannot_come', 'unreachable', 'opted_out')) NOT VALID;
