// Package spool keeps what the gateway acknowledged while the database could not take it.
//
// An inbound SMS (Twilio or an Android SIM gateway) whose turn fails for a reason that is not
// the message's fault (the database is down, restarting, or a transaction broke) is written
// to a file in the spool directory, fsync'd, before the provider gets its 200 and the person
// a short neutral reply (Received). A replayer, run by `serve`, puts each spooled message
// through the normal turn once the database answers again, in arrival order (a number's
// messages never overtake each other: while a number has spooled messages, its new ones are
// spooled behind them), with the reply queued as an outbound message; a file is removed only
// after the turn committed. Turns are deduplicated by provider id, so a message replayed
// twice, or spooled and also delivered again by its provider, is handled once.
//
// USSD and voice must answer at once: they apologise, and the attempt (phone, channel, time,
// the USSD text chain or the voice step) is spooled; after recovery it becomes a call-back
// request (callback.go) when the caller had reached the help flow.
//
// Layout: one JSON file per entry, named by arrival time and a sequence number so that names
// sort in arrival order, written to a temporary name, fsync'd, renamed and the directory
// fsync'd. A lock file keeps a second process out of a directory: each `serve` needs its own.
package spool
