-- +goose Up
-- The whole case life cycle of Circular 01/2015: a case closes from any step for a reason,
-- moves to another commune, reopens as a new case that remembers the old; a support plan in
-- force stays in force while its revision waits for the approver; cases in monitoring come
-- up for review; a planned service's due date reminds the case manager once.

ALTER TABLE care_case
    ADD COLUMN close_reason text CHECK (close_reason IN
        ('goals_met', 'died', 'moved_away', 'declined', 'lost_contact', 'transferred', 'other')),
    ADD COLUMN reopened_from bigint REFERENCES care_case (id),
    ADD COLUMN next_review_at timestamptz,
    -- The review date whose reminder went out: a reminder goes once per review date.
    ADD COLUMN review_reminded_for timestamptz,
    ADD CONSTRAINT care_case_close_reason CHECK ((step = 'closed') = (close_reason IS NOT NULL)) NOT VALID;
UPDATE care_case SET close_reason = 'goals_met' WHERE step = 'closed';
ALTER TABLE care_case VALIDATE CONSTRAINT care_case_close_reason;
CREATE INDEX care_case_review ON care_case (next_review_at) WHERE step = 'monitoring';
CREATE INDEX care_case_manager ON care_case (manager_id, step);

ALTER TABLE case_transition DROP CONSTRAINT case_transition_event_check;
ALTER TABLE case_transition ADD CONSTRAINT case_transition_event_check CHECK (event IN
    ('plan', 'implement', 'monitor', 'revise', 'evaluate', 'reassess', 'close', 'transfer', 'reopen', 'review'));
ALTER TABLE case_transition
    ADD COLUMN reason      text NOT NULL DEFAULT '',
    ADD COLUMN from_commune text REFERENCES commune (code),
    ADD COLUMN to_commune   text REFERENCES commune (code),
    ADD COLUMN to_manager   bigint REFERENCES case_manager (id);

-- A plan is a draft, submitted to the approver, returned with a reason, approved, or
-- replaced. A case has at most one approved plan (the one in force) and at most one plan on
-- its way (draft, submitted or returned): a revision never displaces the plan in force
-- until it is approved.
ALTER TABLE support_plan DROP CONSTRAINT support_plan_status_check;
ALTER TABLE support_plan ADD CONSTRAINT support_plan_status_check
    CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'replaced'));
ALTER TABLE support_plan
    ADD COLUMN submitted_at  timestamptz,
    ADD COLUMN returned_by   bigint REFERENCES case_manager (id),
    ADD COLUMN returned_at   timestamptz,
    ADD COLUMN return_reason text NOT NULL DEFAULT '' CHECK (char_length(return_reason) <= 1000),
    ADD CONSTRAINT support_plan_returned CHECK (status <> 'returned' OR (returned_at IS NOT NULL AND return_reason <> ''));
DROP INDEX support_plan_current;
CREATE UNIQUE INDEX support_plan_in_force ON support_plan (case_id) WHERE status = 'approved';
CREATE UNIQUE INDEX support_plan_pending ON support_plan (case_id) WHERE status IN ('draft', 'submitted', 'returned');

-- A planned service whose due date came reminds the case manager once.
ALTER TABLE plan_service ADD COLUMN due_reminded boolean NOT NULL DEFAULT false;
CREATE INDEX plan_service_due ON plan_service (due) WHERE NOT due_reminded AND status IN ('planned', 'in_progress');

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM support_plan GROUP BY case_id HAVING count(*) FILTER (WHERE status <> 'replaced') > 1) THEN
        RAISE EXCEPTION 'cases with a plan in force and a revision on its way exist: approve or drop the revisions before rolling back 00014';
    END IF;
    IF EXISTS (SELECT 1 FROM case_transition WHERE event IN ('transfer', 'reopen', 'review')) THEN
        RAISE EXCEPTION 'transfers, reopenings or reviews are recorded: rolling back 00014 would lose them';
    END IF;
END $$;
-- +goose StatementEnd
DROP INDEX plan_service_due;
ALTER TABLE plan_service DROP COLUMN due_reminded;
DROP INDEX support_plan_pending;
DROP INDEX support_plan_in_force;
UPDATE support_plan SET status = 'draft' WHERE status IN ('submitted', 'returned');
CREATE UNIQUE INDEX support_plan_current ON support_plan (case_id) WHERE status <> 'replaced';
ALTER TABLE support_plan DROP CONSTRAINT support_plan_returned,
    DROP COLUMN return_reason, DROP COLUMN returned_at, DROP COLUMN returned_by, DROP COLUMN submitted_at;
ALTER TABLE support_plan DROP CONSTRAINT support_plan_status_check;
ALTER TABLE support_plan ADD CONSTRAINT support_plan_status_check CHECK (status IN ('draft', 'approved', 'replaced'));
ALTER TABLE case_transition DROP COLUMN to_manager, DROP COLUMN to_commune, DROP COLUMN from_commune, DROP COLUMN reason;
ALTER TABLE case_transition DROP CONSTRAINT case_transition_event_check;
ALTER TABLE case_transition ADD CONSTRAINT case_transition_event_check CHECK (event IN
    ('plan', 'implement', 'monitor', 'revise', 'evaluate', 'reassess', 'close'));
DROP INDEX care_case_manager;
DROP INDEX care_case_review;
ALTER TABLE care_case DROP CONSTRAINT care_case_close_reason,
    DROP COLUMN review_reminded_for, DROP COLUMN next_review_at, DROP COLUMN reopened_from, DROP COLUMN close_reason;
