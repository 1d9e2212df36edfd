-- +goose Up
-- message.direction was char(2), which cannot hold 'out': no outbound row could be written.
ALTER TABLE message ALTER COLUMN direction TYPE text;

-- A reply row keeps the whole channel-neutral reply (options, end, person to dial), not only
-- the text sent: a provider's retry of the same inbound message gets exactly the first answer.
ALTER TABLE message ADD COLUMN reply jsonb;

-- +goose Down
ALTER TABLE message DROP COLUMN reply;
ALTER TABLE message ALTER COLUMN direction TYPE char(2);
