-- +goose Up
-- Retention and metrics (issue 16): message bodies older than MESSAGE_BODY_RETENTION are cleared by the
-- workers' upkeep job; the metadata stays. An abuse report's words (its description and the
-- messages of the conversation that filed it) stay while its case is open, and are cleared
-- once the case has been closed for the retention.

-- When a help request's description was cleared; NULL while it is kept.
ALTER TABLE help_request ADD COLUMN body_cleared_at timestamptz;
-- The requests whose words are still kept: the job's candidates, and the abuse reports whose
-- conversations the message clearing leaves alone (looked up by phone and time).
CREATE INDEX help_request_body_kept ON help_request (created_at) WHERE body_cleared_at IS NULL;
CREATE INDEX help_request_abuse_kept ON help_request (phone, created_at)
    WHERE category = 'abuse' AND body_cleared_at IS NULL;

-- Finds a time range of the log cheaply: rows go in in time order, so a BRIN index is a few
-- pages per partition and costs an insert almost nothing (a btree on created_at would add a
-- page write to every turn).
CREATE INDEX message_created_brin ON message USING brin (created_at);

-- How far the clearing has gone: each run clears from here up to its cutoff, so it never
-- reads the months it already did. One row.
CREATE TABLE message_retention (
    one            boolean PRIMARY KEY DEFAULT true CHECK (one),
    cleared_before timestamptz NOT NULL
);

-- The dispatcher's last pass, whichever replica made it: /metrics on any process reports
-- how long ago (caseline_dispatcher_lag_seconds) and how long it took. One row.
CREATE TABLE dispatch_pass (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    at       timestamptz NOT NULL,
    took_ms  double precision NOT NULL
);

-- +goose Down
DROP TABLE dispatch_pass;
DROP TABLE message_retention;
DROP INDEX message_created_brin;
DROP INDEX help_request_abuse_kept;
DROP INDEX help_request_body_kept;
ALTER TABLE help_request DROP COLUMN body_cleared_at;
