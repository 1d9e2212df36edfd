// Package faults holds the fault suite: `caseline serve` and `caseline work` run as separate
// processes against a PostgreSQL and a Redis of the suite's own (started on free ports as
// separate processes, so that they can be killed and restarted) and the fake Twilio, while the
// suite kills, restarts and wipes them under load. Each scenario prints what it sent and what
// came of it (requests, acknowledged, saved, lost, duplicated) and fails on any loss, on any
// duplicate beyond the sends in flight, and on any answer 500.
//
// It runs only when FAULTS is set: FAULTS=short (part of `make test`, under two minutes) or
// FAULTS=long (`make faults`, the figures in README.md). PostgreSQL comes from
// /usr/lib/postgresql/*/bin; as root it runs as the postgres OS user (it refuses root).
package faults
