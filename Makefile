# The two commands a newcomer needs: `make dev` starts everything, `make test` runs every test.
# Both first make sure PostgreSQL and Redis are up (scripts/services.sh).

GO ?= go

.PHONY: dev test services build bench faults

# dev: start PostgreSQL and Redis, apply the migrations, run the gateway and the workers
dev: services
	$(GO) run ./cmd/caseline dev

# test: start PostgreSQL and Redis, then run every test, then the short fault suite (its own
# PostgreSQL and Redis, killed and restarted under load; under two minutes)
test: services
	$(GO) test -timeout 8m ./...
	FAULTS=short $(GO) test -count=1 -v -timeout 6m ./faults

# faults: the long fault suite, whose figures README.md shows (about ten minutes)
faults: services
	FAULTS=long $(GO) test -count=1 -v -timeout 30m ./faults

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
