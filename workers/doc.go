// Package workers runs Caseline's background work on asynq: appointment reminders,
// monitoring check-ins, the escalation ladder and the outbound sender.
//
// PostgreSQL is the truth. A Dispatcher, one at a time across replicas (a PostgreSQL
// advisory lock), writes check-ins from schedules and reminders from appointments, then moves
// the rows due within a short window into asynq with deterministic task ids built from the
// rows' keys (checkin:{id}:{stage}, esc:{id}:{level}). Reminders and outbound messages, which
// come by the thousand, go as batches of care.BatchSpan consecutive ids
// (reminders:{first id}@{unix}, msgs:{provider}:{first id}@{unix}; the time is the start of
// the 10-second period for work due now, the due second for work due later): a batch is
// locked with SKIP LOCKED, decided row by row and recorded in one commit, so 100,000
// reminders due at once are a few hundred tasks and commits. Redis never holds more than
// the window, and a wiped Redis fills again at the next pass.
//
// Every handler re-reads its row under a lock, checks it is still due and unchanged, decides,
// and records the decision and the messages it queues in one transaction, so a repeated task
// does nothing. Messages are rows of the outbox (the message table) before any provider is
// called; the sender claims a batch of rows under a lease in one statement (committed before
// any call), calls the provider for each, concurrently, and records the accepted ones in one
// statement: a worker killed mid-batch repeats at most the messages it had in flight. A rate
// limit spaces the calls, starts a call only a second after the call limit calls before it
// returned (so no second at the provider ever holds more than the limit), and bounds what
// is claimed to what the limit lets go within half a task's time.
//
// The Upkeep job keeps the message log fast and private as it grows, in every work process
// hourly (each step idempotent): it makes next month's partition of the log ahead of time,
// clears message bodies older than Deps.BodyRetention (an abuse report's only once its case
// has been closed that long), and deletes dialog sessions idle for care.SessionExpiry.
//
// Wiring (cmd/caseline work):
//
//	client := asynq.NewClientFromRedisClient(rdb)
//	queue := workers.NewQueue(client, workers.DefaultTaskTimeout)
//	deps := workers.Deps{
//		Store: st, // *store.Store implements care.WorkStore
//		Senders: map[care.Provider]care.Sender{care.ProviderTwilio: twilioSender},
//		Router: router, Clock: care.SystemClock{}, Log: log, Location: loc,
//		PublicBaseURL: cfg.PublicBaseURL, RateLimit: cfg.RateLimit,
//		Enqueuer: queue, // follow-ups go at once instead of at the next pass
//	}
//	mux := asynq.NewServeMux()
//	if err := workers.Register(mux, deps); err != nil { ... } // or workers.NewMux(deps)
//	srv := asynq.NewServerFromRedisClient(rdb, workers.Configure(cfg)) // or workers.ServerConfig(log, 10)
//	srv.Start(mux)
//	d, err := workers.NewDispatcher(deps, queue)
//	go d.Run(ctx) // returns when ctx ends
//
// The Twilio client's HTTP timeout must stay below Deps.TaskTimeout (default 30 s), which
// stays below Deps.Lease (default twice the task timeout).
package workers
