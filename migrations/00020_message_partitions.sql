-- +goose Up
-- The message log, partitioned by month of created_at (issue 16): it grows by every SMS, USSD
-- hop and voice turn, forever, so each month is a table of its own that the retention job
-- and the planner can take one at a time. Months are UTC months. The workers create the
-- coming month's partition ahead (message_partition, below); the default partition takes
-- anything that arrives before its month exists, so an insert never fails for want of one.
--
-- Deduplication. A partitioned table's unique index must contain the partition key, and
-- (provider, provider_id, created_at) would let the same webhook in twice a second apart. So
-- the two unique keys move to message_key, a plain table with one row per message that has a
-- key, under the same unique index names (the error map and the fault suite know them):
-- message_provider_id_unique (provider, provider_id) and message_idempotency_key_unique
-- (idempotency_key). A BEFORE trigger on message writes the message's message_key row in the
-- same transaction, through those real unique indexes, so a repeat raises unique_violation
-- under the same name as before, at insert and at the update that gives a sent message its
-- provider id, and two concurrent writers of one key behave exactly as with the old index:
-- the second waits for the first to commit, then conflicts (or goes on, if it rolled back).
-- The writers that said ON CONFLICT (idempotency_key) on message now say it on message_key,
-- in the same statement (store/message_key.go).
-- Keys are never deleted (nothing deletes messages; retention clears bodies only).
-- message_key also holds each keyed message's created_at, so a lookup by key reaches one
-- partition, not one index probe per month.

ALTER TABLE message RENAME TO message_unpartitioned;
ALTER INDEX message_pkey RENAME TO message_unpartitioned_pkey;

CREATE TABLE message (LIKE message_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (created_at);
ALTER TABLE message ADD CONSTRAINT message_pkey PRIMARY KEY (id, created_at);
-- Every foreign key and index the log had, whichever migration added it, but the three that
-- change: the primary key (now with created_at) and the two unique keys (message_key).
-- +goose StatementBegin
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = 'message_unpartitioned'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE message ADD CONSTRAINT %I %s', r.conname, r.def);
    END LOOP;
END $$;
-- +goose StatementEnd
CREATE TEMPORARY TABLE message_index_def ON COMMIT DROP AS
SELECT replace(pg_get_indexdef(i.indexrelid), ' ON public.message_unpartitioned ', ' ON message ') AS def
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'message_unpartitioned'::regclass
  AND c.relname NOT IN ('message_unpartitioned_pkey', 'message_provider_id_unique', 'message_idempotency_key_unique');
ALTER SEQUENCE message_id_seq OWNED BY message.id;
CREATE TABLE message_default PARTITION OF message DEFAULT;

-- message_partition makes the partition of the UTC month holding t, if it is missing, and
-- returns its name. Rows of that month already in the default partition (the workers were
-- down when it should have been made) move into it. Idempotent; concurrent callers queue on
-- an advisory lock. The caller sets a short lock_timeout: making a partition locks the
-- parent, and a caller that waited for it long would hold up every turn queued behind.
-- +goose StatementBegin
CREATE FUNCTION message_partition(t timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz := date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    hi timestamptz := (date_trunc('month', t AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    pname text := 'message_' || to_char(t AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(pname) IS NOT NULL THEN
        RETURN pname;
    END IF;
    PERFORM pg_advisory_xact_lock(1667330917, 20); -- "case", 20
    IF to_regclass(pname) IS NOT NULL THEN
        RETURN pname;
    END IF;
    IF EXISTS (SELECT 1 FROM message_default WHERE created_at >= lo AND created_at < hi) THEN
        EXECUTE format('CREATE TABLE %I (LIKE message INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', pname);
        EXECUTE format('WITH moved AS (DELETE FROM message_default WHERE created_at >= $1 AND created_at < $2 RETURNING *)
                        INSERT INTO %I SELECT * FROM moved', pname) USING lo, hi;
        EXECUTE format('ALTER TABLE message ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', pname, lo, hi);
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF message FOR VALUES FROM (%L) TO (%L)', pname, lo, hi);
    END IF;
    RETURN pname;
END $$;
-- +goose StatementEnd

-- Every month the log already spans, and the next one.
SELECT message_partition(m)
FROM generate_series(
    date_trunc('month', coalesce((SELECT min(created_at) FROM message_unpartitioned), now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
    now() + interval '1 month', interval '1 month') AS m;

INSERT INTO message SELECT * FROM message_unpartitioned;
SELECT setval('message_id_seq', greatest((SELECT max(id) FROM message), 1));

CREATE TABLE message_key (
    message_id      bigint PRIMARY KEY,
    created_at      timestamptz NOT NULL,
    provider        text NOT NULL,
    provider_id     text,
    idempotency_key text
);
DROP TABLE message_unpartitioned;
CREATE UNIQUE INDEX message_provider_id_unique ON message_key (provider, provider_id) WHERE provider_id IS NOT NULL;
CREATE UNIQUE INDEX message_idempotency_key_unique ON message_key (idempotency_key) WHERE idempotency_key IS NOT NULL;
INSERT INTO message_key (message_id, created_at, provider, provider_id, idempotency_key)
SELECT id, created_at, provider, provider_id, idempotency_key FROM message
WHERE provider_id IS NOT NULL OR idempotency_key IS NOT NULL;

-- The log's other indexes, now one per partition (message_person, message_outbound_due,
-- message_sending_lease, message_android_outbox, and any a later feature added). Status
-- callbacks find a sent message by its provider id here (not unique: message_key guards).
-- +goose StatementBegin
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT def FROM message_index_def LOOP
        EXECUTE r.def;
    END LOOP;
END $$;
-- +goose StatementEnd
CREATE INDEX message_provider_id ON message (provider, provider_id) WHERE provider_id IS NOT NULL;

-- message_key_insert keeps a new message's keys; a repeated one raises unique_violation under
-- the old index's name, as before. A writer that means "insert unless the key is known"
-- writes the message_key row first, in the same statement (INSERT … ON CONFLICT on
-- message_key), and inserts only the messages whose key row it made: this trigger then finds
-- the row under its message id and leaves it.
-- +goose StatementBegin
CREATE FUNCTION message_key_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.provider_id IS NOT NULL OR NEW.idempotency_key IS NOT NULL THEN
        INSERT INTO message_key (message_id, created_at, provider, provider_id, idempotency_key)
        VALUES (NEW.id, NEW.created_at, NEW.provider, NEW.provider_id, NEW.idempotency_key)
        ON CONFLICT (message_id) DO NOTHING;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- message_key_update follows a message whose provider or provider id changes (a send's id
-- arrives): the new one must be unique as before.
-- +goose StatementBegin
CREATE FUNCTION message_key_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_key (message_id, created_at, provider, provider_id, idempotency_key)
    VALUES (NEW.id, NEW.created_at, NEW.provider, NEW.provider_id, NEW.idempotency_key)
    ON CONFLICT (message_id) DO UPDATE SET provider = EXCLUDED.provider, provider_id = EXCLUDED.provider_id;
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER message_key_insert BEFORE INSERT ON message
    FOR EACH ROW EXECUTE FUNCTION message_key_insert();
CREATE TRIGGER message_key_update BEFORE UPDATE OF provider, provider_id ON message
    FOR EACH ROW WHEN (OLD.provider IS DISTINCT FROM NEW.provider OR OLD.provider_id IS DISTINCT FROM NEW.provider_id)
    EXECUTE FUNCTION message_key_update();

-- +goose Down
ALTER TABLE message RENAME TO message_partitioned;
ALTER INDEX message_pkey RENAME TO message_partitioned_pkey;
CREATE TABLE message (LIKE message_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER SEQUENCE message_id_seq OWNED BY message.id;
INSERT INTO message SELECT * FROM message_partitioned;
-- +goose StatementBegin
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = 'message_partitioned'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE message ADD CONSTRAINT %I %s', r.conname, r.def);
    END LOOP;
END $$;
-- +goose StatementEnd
CREATE TEMPORARY TABLE message_index_def ON COMMIT DROP AS
SELECT replace(pg_get_indexdef(i.indexrelid), ' ON ONLY public.message_partitioned ', ' ON message ') AS def
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'message_partitioned'::regclass
  AND c.relname NOT IN ('message_partitioned_pkey', 'message_provider_id');
DROP TABLE message_partitioned;
DROP TABLE message_key;
DROP FUNCTION message_partition(timestamptz);
DROP FUNCTION message_key_insert();
DROP FUNCTION message_key_update();
ALTER TABLE message ADD CONSTRAINT message_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX message_provider_id_unique ON message (provider, provider_id) WHERE provider_id IS NOT NULL;
CREATE UNIQUE INDEX message_idempotency_key_unique ON message (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- +goose StatementBegin
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT def FROM message_index_def LOOP
        EXECUTE r.def;
    END LOOP;
END $$;
-- +goose StatementEnd
