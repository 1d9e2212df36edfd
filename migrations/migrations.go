package migrations

import "embed"

// FS holds the goose SQL migrations, in order of their numbers.
//
//go:embed *.sql
var FS embed.FS
