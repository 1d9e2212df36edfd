-- +goose Up
-- Every turn asks whether its reply was already given (a repeated webhook): message_key by
-- the reply's idempotency key, then that message's reply. Joined in the turn's statement, the
-- message side is planned over every month's partition and locks each of them and its
-- primary key on every turn, found or not: 10 relation locks on an empty log, 32 after a
-- year (beyond the 16 a backend takes without the shared lock table), two more each month.
-- message_reply reads the one row in a statement of its own, which runs only when the key
-- exists, which is rare, and is planned for that row's month alone.
-- +goose StatementBegin
CREATE FUNCTION message_reply(bigint, timestamptz) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT m.reply FROM message m WHERE m.id = $1 AND m.created_at = $2);
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION message_reply(bigint, timestamptz);
