-- +goose Up
-- A staff member can write an SMS to a person (deaf people reach us by SMS only). The message
-- log keeps who wrote it; Caseline's own messages have none.
ALTER TABLE message ADD COLUMN staff_id bigint REFERENCES case_manager (id);

-- +goose Down
ALTER TABLE message DROP COLUMN staff_id;
