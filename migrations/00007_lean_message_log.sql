-- +goose Up
-- Every inbound turn writes two message rows, and each row paid for an entry in every index.
-- Nothing reads the log by phone (loop protection now counts in the SMS session, the API lists
-- a person's messages by person_id), so message_phone goes. An inbound row has no idempotency
-- key and a reply row no provider id until it is sent: the unique indexes skip those NULLs
-- instead of storing an entry for each. The index names stay the constraint names the store
-- maps to ECONFLICT.
DROP INDEX message_phone;
ALTER TABLE message DROP CONSTRAINT message_provider_id_unique;
CREATE UNIQUE INDEX message_provider_id_unique ON message (provider, provider_id) WHERE provider_id IS NOT NULL;
ALTER TABLE message DROP CONSTRAINT message_idempotency_key_unique;
CREATE UNIQUE INDEX message_idempotency_key_unique ON message (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX message_idempotency_key_unique;
ALTER TABLE message ADD CONSTRAINT message_idempotency_key_unique UNIQUE (idempotency_key);
DROP INDEX message_provider_id_unique;
ALTER TABLE message ADD CONSTRAINT message_provider_id_unique UNIQUE (provider, provider_id);
CREATE INDEX message_phone ON message (phone, created_at DESC);
