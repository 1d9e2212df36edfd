-- +goose Up
-- Carrier failures: Twilio reports a number that cannot take SMS (30003, 30005, …) only in a
-- status callback. sms_failures counts such failures of SMS to the person's own number in a
-- row (a delivered SMS resets it); at two, sms_unreachable_at marks the number unreachable by
-- SMS: reminders and check-ins go by call then, except to a deaf person. A new phone number
-- starts clean.
ALTER TABLE person
    ADD COLUMN sms_failures smallint NOT NULL DEFAULT 0 CHECK (sms_failures >= 0),
    ADD COLUMN sms_unreachable_at timestamptz;

-- Africa's Talking's end-of-session notification, one row per USSD session: how it ended
-- (Success: its last screen was END; Incomplete: the person left a screen that waited for
-- input; Failed: an error), and where the dialog stood then, so a report can say which state
-- people leave from. The input chain and the last screen are not kept: they hold what people
-- typed.
CREATE TABLE ussd_session_end (
    session_id    text PRIMARY KEY,
    phone         text NOT NULL,
    status        text NOT NULL CHECK (status IN ('Success', 'Incomplete', 'Failed')),
    hops          integer NOT NULL CHECK (hops >= 0),
    duration_ms   bigint NOT NULL CHECK (duration_ms >= 0),
    error_message text NOT NULL DEFAULT '',
    network_code  text NOT NULL DEFAULT '',
    cost          text NOT NULL DEFAULT '',
    flow          text NOT NULL DEFAULT '',
    state         text NOT NULL DEFAULT '',
    ended_at      timestamptz NOT NULL
);
CREATE INDEX ussd_session_end_at ON ussd_session_end (ended_at);

-- +goose Down
DROP TABLE ussd_session_end;
ALTER TABLE person DROP COLUMN sms_unreachable_at, DROP COLUMN sms_failures;
