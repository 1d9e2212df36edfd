-- +goose Up
-- A reply row keeps the whole channel-neutral reply (options, end, person to dial), not only
-- the text sent: a provider's retry of the same inbound message gets exactly the first answer.
ALTER TABLE message ADD COLUMN reply jsonb;

-- +goose Down
ALTER TABLE message DROP COLUMN reply;
