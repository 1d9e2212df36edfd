-- +goose Up
-- message.direction was char(2) in early copies of 00001, which cannot hold 'out'. 00001 now
-- says text; this keeps databases migrated from an early copy right (a no-op elsewhere).
ALTER TABLE message ALTER COLUMN direction TYPE text;

-- A reply row keeps the whole channel-neutral reply (options, end, person to dial), not only
-- the text sent: a provider's retry of the same inbound message gets exactly the first answer.
ALTER TABLE message ADD COLUMN reply jsonb;

-- +goose Down
ALTER TABLE message DROP COLUMN reply;
