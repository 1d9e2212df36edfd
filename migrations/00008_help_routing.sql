-- +goose Up
-- Every call for help reaches a human (issue 11).

-- The service-wide on-call roster: duty officers with no commune. Only that role may go
-- without one; everyone else still belongs to a commune.
ALTER TABLE case_manager ALTER COLUMN commune DROP NOT NULL;
ALTER TABLE case_manager ADD CONSTRAINT case_manager_commune_or_roster
    CHECK (commune IS NOT NULL OR role = 'duty_officer');
CREATE INDEX case_manager_roster ON case_manager (id) WHERE commune IS NULL AND role = 'duty_officer' AND active;

-- "Call me back" is a help category of its own (voice 0 when nobody answers, or the menu),
-- and a help flow dropped after its category is reported as a request marked unfinished.
ALTER TABLE help_request DROP CONSTRAINT help_request_category_check;
ALTER TABLE help_request ADD CONSTRAINT help_request_category_check
    CHECK (category IN ('health', 'device', 'money', 'school', 'abuse', 'callback', 'other'));
ALTER TABLE help_request ADD COLUMN unfinished boolean NOT NULL DEFAULT false;

-- Set by the worker that found nobody at all to tell of an escalation: /metrics counts the
-- open ones from here, whichever process asks.
ALTER TABLE escalation ADD COLUMN unrouted_at timestamptz;
CREATE INDEX escalation_unrouted ON escalation (id) WHERE unrouted_at IS NOT NULL AND status = 'open';

-- When a session's help flow got its category and nothing is filed yet: the sweep that
-- reports unfinished requests finds them here. NULL for every other session, so the index
-- stays small and a turn that leaves the column as it was keeps its HOT update.
ALTER TABLE dialog_session ADD COLUMN help_started_at timestamptz;
CREATE INDEX dialog_session_help_started ON dialog_session (help_started_at) WHERE help_started_at IS NOT NULL;

-- +goose Down
DROP INDEX dialog_session_help_started;
ALTER TABLE dialog_session DROP COLUMN help_started_at;

DROP INDEX escalation_unrouted;
ALTER TABLE escalation DROP COLUMN unrouted_at;

ALTER TABLE help_request DROP COLUMN unfinished;
UPDATE help_request SET category = 'other' WHERE category = 'callback';
ALTER TABLE help_request DROP CONSTRAINT help_request_category_check;
ALTER TABLE help_request ADD CONSTRAINT help_request_category_check
    CHECK (category IN ('health', 'device', 'money', 'school', 'abuse', 'other'));

-- A roster member has no commune to go back to: rolling back with one in place is refused
-- rather than inventing a commune for them.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM case_manager WHERE commune IS NULL) THEN
        RAISE EXCEPTION 'on-call roster members (staff with no commune) exist: give them a commune or delete them before rolling back 00008';
    END IF;
END $$;
-- +goose StatementEnd
DROP INDEX case_manager_roster;
ALTER TABLE case_manager DROP CONSTRAINT case_manager_commune_or_roster;
ALTER TABLE case_manager ALTER COLUMN commune SET NOT NULL;
