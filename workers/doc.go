// Package workers runs Caseline's background work on asynq: appointment reminders,
// monitoring check-ins, the escalation ladder and the outbound sender.
//
// PostgreSQL is the truth. A Dispatcher, one at a time across replicas (a PostgreSQL
// advisory lock), writes check-ins from schedules and reminders from appointments, then moves
// the rows due within a short window into asynq with deterministic task ids built from the
// rows' keys (reminder:{id}, checkin:{id}:{stage}, esc:{id}:{level}, msg:{id}:{attempt}).
// Redis never holds more than that window, and a wiped Redis fills again at the next pass.
//
// Every handler re-reads its row under a lock, checks it is still due and unchanged, decides,
// and records the decision and the messages it queues in one transaction, so a repeated task
// does nothing. Messages are rows of the outbox (the message table) before any provider is
// called; the sender claims a row under a lease, calls the provider and records the result.
//
// Wiring (cmd/caseline work):
//
//	deps := workers.Deps{Store: st, Senders: senders, Router: router, Clock: care.SystemClock{}, Log: log, ...}
//	mux, err := workers.NewMux(deps)
//	srv := asynq.NewServer(redisOpt, workers.ServerConfig(log, 10))
//	srv.Start(mux); defer srv.Shutdown()
//	client := asynq.NewClient(redisOpt)
//	deps.Enqueuer = workers.NewQueue(client, workers.DefaultTaskTimeout) // optional: follow-ups at once
//	go workers.NewDispatcher(deps, workers.NewQueue(client, workers.DefaultTaskTimeout)).Run(ctx)
package workers
