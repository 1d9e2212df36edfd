// Package store is the PostgreSQL (pgx/v5) implementation of care's stores and of the dialog
// sessions the flows keep. Constraint violations come back as care error codes (ECONFLICT,
// ENOTFOUND, EINVALID), never as raw driver errors. Queries list their columns and every
// query's arguments stay out of the logs.
package store
