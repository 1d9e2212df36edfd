-- +goose Up
-- Bearer tokens of the case-manager API. Only the SHA-256 of a token is kept: a copy of this
-- table lets no one in. A revoked token stays, so the audit log can still name it.
CREATE TABLE api_token (
    id         bigserial PRIMARY KEY,
    manager_id bigint NOT NULL REFERENCES case_manager (id),
    hash       text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    label      text NOT NULL DEFAULT '' CHECK (char_length(label) <= 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CONSTRAINT api_token_hash_unique UNIQUE (hash)
);
CREATE INDEX api_token_manager ON api_token (manager_id);

-- The API lists a commune's escalations by SLA and its people, help requests and messages by id.
CREATE INDEX escalation_sla ON escalation (commune, status, (COALESCE(next_level_at, 'infinity')), (NOT urgent), id);
CREATE INDEX help_request_commune ON help_request (commune, status, id);
CREATE INDEX message_person ON message (person_id, id) WHERE person_id IS NOT NULL;

-- +goose Down
DROP INDEX message_person;
DROP INDEX help_request_commune;
DROP INDEX escalation_sla;
DROP TABLE api_token;
