#!/usr/bin/env bash
# dev.sh is the first of the README's two commands: everything Caseline needs, then Caseline
# itself in one process (`caseline dev`: migrations, demo data, the fake Twilio, the gateway on
# 127.0.0.1:8080 and the workers) until Ctrl-C. On a machine with nothing but bash and the
# repository it installs Go (under .cache/go, first: the apt-get work takes minutes),
# PostgreSQL and Redis (scripts/services.sh).
set -euo pipefail
# shellcheck disable=SC2034 # read by say, in lib.sh
script_name=dev
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$repo"

ensure_go
bash scripts/services.sh
say "building bin/caseline"
go build -o bin/caseline ./cmd/caseline
[ "$(command -v go)" = "$go_home/bin/go" ] &&
	say "Go is in .cache/go/bin, not on your PATH: export PATH=\"$go_home/bin:\$PATH\" to run go yourself"
# exec: Ctrl-C and SIGTERM reach caseline itself, which stops gracefully.
exec bin/caseline dev
