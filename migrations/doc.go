// Package migrations holds Caseline's PostgreSQL schema as goose SQL files, embedded so the
// one binary can apply them (caseline migrate up). The schema enforces what must never be
// wrong: unique phones, unique provider message ids and idempotency keys, references and a
// check on every enumerated column.
package migrations
