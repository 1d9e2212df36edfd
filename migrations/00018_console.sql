-- +goose Up
-- The staff web console. Sign-in codes and sessions are kept only as SHA-256 hashes: a copy
-- of the database signs nobody in.

-- One row per phone number that asked for a code, known to Caseline or not, so an unknown
-- number is answered and locked exactly as a known one is (nobody learns who is staff).
CREATE TABLE console_signin (
    phone        text PRIMARY KEY CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    code_hash    text,
    sent_at      timestamptz,
    expires_at   timestamptz,
    failures     smallint NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until timestamptz,
    CHECK ((code_hash IS NULL) = (expires_at IS NULL))
);

CREATE TABLE console_session (
    hash       text PRIMARY KEY,
    manager_id bigint NOT NULL REFERENCES case_manager (id),
    created_at timestamptz NOT NULL,
    seen_at    timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX console_session_manager ON console_session (manager_id);

-- The console's lists: people of a commune by name, escalations of a month for the report.
CREATE INDEX person_commune_name ON person (commune, lower(name), id);
CREATE INDEX escalation_commune_created ON escalation (commune, created_at);
CREATE INDEX care_case_commune_opened ON care_case (commune, opened_at);

-- +goose Down
DROP INDEX care_case_commune_opened;
DROP INDEX escalation_commune_created;
DROP INDEX person_commune_name;
DROP TABLE console_session;
DROP TABLE console_signin;
