-- +goose Up
-- An outbound SMS routed to the Android SIM gateway waits as a queued message row until the phone
-- polls. handed_out_at is when it was last offered: a row the phone never confirmed (no PENDING,
-- SENT, DELIVERED or FAILED update) is offered again once its lease runs out, which is safe
-- because the app ignores an id it has seen.
ALTER TABLE message ADD COLUMN handed_out_at timestamptz;
CREATE INDEX message_android_outbox ON message (created_at, id)
    WHERE direction = 'out' AND provider = 'android' AND status = 'queued';

-- +goose Down
DROP INDEX message_android_outbox;
ALTER TABLE message DROP COLUMN handed_out_at;
