#!/usr/bin/env bash
# test.sh is the second of the README's two commands, and what CI runs (.ci/run): every test.
# On a machine with nothing but bash and the repository it installs what the tests need —
# Go (under .cache/go), PostgreSQL, Redis, Redis Sentinel, and Debian's chromium once a
# browser test exists — starts the services (scripts/services.sh), then runs the steps of
# test_steps in order, stopping at the first that fails.
set -euo pipefail
# shellcheck disable=SC2034 # read by say, in lib.sh
script_name='test'
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"
cd "$repo"

# step NAME COMMAND… runs one step and says how long it took.
step() {
	local name=$1 start=$SECONDS
	shift
	say "step $name: $*"
	"$@" || die "step $name failed after $((SECONDS - start)) s"
	say "step $name passed in $((SECONDS - start)) s"
}

# test_steps is every test, in order. Add a step here, as one more line.
test_steps() {
	# The linter is pinned in go.mod; its rules are .golangci.yml.
	step "lint" go tool golangci-lint run ./...
	step "go test" go test -timeout 20m ./...
	# The short fault suite: its own PostgreSQL and Redis, killed and restarted under load.
	step "faults" env FAULTS=short go test -count=1 -timeout 8m ./simulators/faults
}

# A browser test is one that drives Debian's chromium (never a browser of its own download).
packages=(redis-sentinel:redis-sentinel)
if grep -rqlw --include='*_test.go' --exclude-dir=.cache --exclude-dir=.git -e chromium . 2>/dev/null; then
	packages+=(chromium:chromium)
fi

ensure_go
bash scripts/services.sh "${packages[@]}"
test_steps
say "all steps passed"
