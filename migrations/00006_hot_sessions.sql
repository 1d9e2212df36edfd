-- +goose Up
-- A dialog session is saved on every inbound turn. With updated_at in an index, no save could
-- be a HOT update, so each one rewrote every index of the table. The resume lookup reads a
-- phone's few sessions and sorts them itself; (phone, channel) is all it needs from an index.
-- Free space in each page lets the save stay on its page.
DROP INDEX dialog_session_phone;
CREATE INDEX dialog_session_phone ON dialog_session (phone, channel);
ALTER TABLE dialog_session SET (fillfactor = 80);

-- +goose Down
ALTER TABLE dialog_session RESET (fillfactor);
DROP INDEX dialog_session_phone;
CREATE INDEX dialog_session_phone ON dialog_session (phone, channel, updated_at DESC);
