// Command caseline runs Caseline: the HTTP gateway (serve), the task workers (work), the
// database migrations (migrate), or all of them in one process for development (dev).
// Run `caseline help` for the commands and README.md for the configuration.
//
// This package is wiring only: it reads the configuration, opens PostgreSQL and Redis,
// builds the components from their packages, and starts and stops them in order.
package main
