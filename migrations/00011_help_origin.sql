-- +goose Up
-- A help request filed outside a dialog turn (the call-back for a USSD or voice call cut off by
-- a database outage, filed from the gateway's spool) carries the key of what it came from, so
-- filing it again does nothing.
ALTER TABLE help_request ADD COLUMN origin text;
CREATE UNIQUE INDEX help_request_origin ON help_request (origin) WHERE origin IS NOT NULL;

-- +goose Down
DROP INDEX help_request_origin;
ALTER TABLE help_request DROP COLUMN origin;
