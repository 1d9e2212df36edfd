# The two commands a newcomer needs: `make dev` starts everything, `make test` runs every test.
# Both first make sure PostgreSQL and Redis are up (scripts/services.sh).

GO ?= go

.PHONY: dev test services build bench

# dev: start PostgreSQL and Redis, apply the migrations, run the gateway and the workers
dev: services
	$(GO) run ./cmd/caseline dev

# test: start PostgreSQL and Redis, then run every test
test: services
	$(GO) test -timeout 8m ./...

# services: make sure PostgreSQL and Redis run and the caseline role and database exist
services:
	bash scripts/services.sh

# build: build the caseline binary into bin/
build:
	$(GO) build -o bin/caseline ./cmd/caseline

# bench: the load benchmark (scripts/bench.sh): PostgreSQL's ceiling, then signed Twilio SMS
# and USSD load against `caseline serve` on a scratch database, and the workers' benchmarks
bench:
	bash scripts/bench.sh
