# Shortcuts for the scripts; none needs make. The README's two commands:
#   bash scripts/dev.sh    (make dev)    everything installed and started, then `caseline dev`
#   bash scripts/test.sh   (make test)   everything installed and started, then every test

GO ?= go

.PHONY: dev test services build bench bench-scale faults fresh-check

dev:
	bash scripts/dev.sh

test:
	bash scripts/test.sh

# faults: the long fault suite, whose figures README.md shows (about five minutes); the short
# one is a step of scripts/test.sh
faults: services
	FAULTS=long $(GO) test -count=1 -v -timeout 30m ./simulators/faults

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

# bench-scale: the message log at scale (scripts/bench-scale.sh): the SMS load on an empty
# database and on one preloaded with 1,000,000 persons, 10,000,000 messages and 1,000,000
# reminders (SCALE=0.1 for a tenth), a dispatcher pass, the API's list pages. Heavy; by hand.
bench-scale:
	bash scripts/bench-scale.sh

# fresh-check: the two commands on a fresh Debian 12 built with debootstrap (slow; by hand,
# as root; not in CI)
fresh-check:
	bash scripts/fresh-check.sh
