# shellcheck shell=bash
# bench-lib.sh is what scripts/bench.sh and scripts/bench-scale.sh share: cleanup whatever
# happens, PostgreSQL's ceiling measured in the same run, scratch databases, `caseline serve`
# and `caseline work` on loopback, and closed-loop load runs with `caseline load`. It is
# sourced, never run; the sourcing script sets `set -euo pipefail` first.
#
# Env (defaults):  BENCH_SECONDS (20) per load run · BENCH_WORKERS (32) concurrent requests ·
#   BENCH_PHONES (20000) pool of numbers · CEILING_SECONDS (10) · CEILING_SH (found next to the
#   repository, see find_ceiling) · BENCH_ADMIN_URL, a role that may create databases (the
#   caseline role services.sh makes).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

secs=${BENCH_SECONDS:-20}
workers=${BENCH_WORKERS:-32}
phones=${BENCH_PHONES:-20000}
ceiling_secs=${CEILING_SECONDS:-10}
admin=${BENCH_ADMIN_URL:-postgres://caseline:caseline@127.0.0.1:5432/postgres?sslmode=disable}
GO=${GO:-go}

say() { echo "${bench_name:-bench}: $*" >&2; }
die() { say "$*"; exit 1; }

# --- cleanup, whatever happens ----------------------------------------------------------------
dbs=()       # scratch databases to drop
pids=()      # caseline processes to stop
child=""     # the long step bg_wait waits for
work=$(mktemp -d "${TMPDIR:-/tmp}/caseline-bench.XXXXXX")

# stop_pid PID stops a process we started: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $child ]]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	local pid d
	for pid in "${pids[@]}"; do stop_pid "$pid"; done
	for d in "${dbs[@]}"; do
		timeout 60 psql -X -q "$admin" -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1 ||
			say "could not drop the scratch database $d; drop it by hand"
	done
	if [[ $rc -ne 0 && -s $work/serve.log ]]; then
		say "last lines of the server's log:"
		tail -n 20 "$work/serve.log" >&2 || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# bg_wait runs a long step in the background and waits for it, so that a signal reaches the
# traps at once (bash defers them while a foreground child runs) and cleanup stops the step.
bg_wait() {
	"$@" &
	child=$!
	local rc=0
	wait "$child" || rc=$?
	child=""
	return "$rc"
}

# prepare makes sure the services run and builds bin/caseline.
prepare() {
	timeout 300 bash scripts/services.sh
	say "building bin/caseline"
	timeout 300 "$GO" build -o bin/caseline ./cmd/caseline
	for d in /usr/lib/postgresql/*/bin; do [[ -d $d ]] && PATH=$PATH:$d; done
}

# --- the ceiling ------------------------------------------------------------------------------
# The repository lives next to shared/ (../shared/bench/ceiling.sh). A git worktree may live
# elsewhere: then look next to the main checkout.
find_ceiling() {
	if [[ -n ${CEILING_SH:-} ]]; then echo "$CEILING_SH"; return; fi
	local c="$root/../shared/bench/ceiling.sh"
	if [[ -f $c ]]; then echo "$c"; return; fi
	local common
	common=$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	if [[ -n $common && -f $common/../../shared/bench/ceiling.sh ]]; then
		echo "$(cd "$common/../../shared/bench" && pwd)/ceiling.sh"
	fi
}

# measure_ceiling sets ceiling (tps, or empty) and ceiling_load.
ceiling=""
ceiling_load=""
measure_ceiling() {
	local ceiling_sh
	ceiling_sh=$(find_ceiling)
	if [[ -z $ceiling_sh || ! -f $ceiling_sh ]]; then
		say "../shared/bench/ceiling.sh is missing: no ceiling, so no ratio (set CEILING_SH to its path)"
		return
	fi
	ceiling_load=$(loadavg)
	say "ceiling: $ceiling_sh $ceiling_secs (load average $ceiling_load)"
	if bg_wait timeout $((ceiling_secs + 120)) bash "$ceiling_sh" "$ceiling_secs" >"$work/ceiling.txt"; then
		ceiling=$(awk '/^ceiling_tps/ { print $2 }' "$work/ceiling.txt")
	fi
	[[ -n $ceiling ]] || say "ceiling.sh failed or printed nothing: continuing without the ratio"
}

# --- scratch databases and processes ----------------------------------------------------------
# new_db NAME creates a scratch database, dropped on exit, migrated, and sets db_url to it.
db_url=""
new_db() {
	local name=$1
	timeout 30 psql -X -q "$admin" -c "CREATE DATABASE \"$name\"" >/dev/null || die "cannot create database $name"
	dbs+=("$name")
	local url="postgres://caseline:caseline@127.0.0.1:5432/$name?sslmode=disable"
	DATABASE_URL=$url timeout 120 "$serve_bin" migrate up >/dev/null || die "migrate up on $name failed"
	db_url=$url
}

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	die "no free loopback port found"
}

export REDIS_URL=redis://127.0.0.1:6379/13
export TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
export TWILIO_AUTH_TOKEN=benchauthtoken0123456789 # alphanumeric: work's Twilio client refuses anything else
export TWILIO_FROM=+84901000000
export USSD_TOKEN=bench-ussd-token
export ANDROID_GATEWAY_PASSWORD=bench-android
export LOG_LEVEL=warn

# serve_bin is the binary new_db migrates with and start_caseline starts: this tree's, or a
# baseline's (bench.sh's BENCH_BASELINE). The load always comes from this tree's bin/caseline.
serve_bin=bin/caseline

# start_caseline COMMAND DB_URL LOG starts `caseline COMMAND` on a free loopback port against
# DB_URL and waits for /readyz; it sets last_pid and last_port.
last_pid=""
last_port=""
start_caseline() {
	local cmd=$1 url=$2 log=$3 port pid
	port=$(free_port)
	DATABASE_URL=$url LISTEN_ADDR=127.0.0.1:$port PUBLIC_BASE_URL=http://127.0.0.1:$port \
		"$serve_bin" "$cmd" >"$log" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$log" >&2
			die "caseline $cmd exited"
		fi
		if curl -fsS -m 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
			last_pid=$pid last_port=$port
			say "caseline $cmd (pid $pid) ready on 127.0.0.1:$port"
			return
		fi
		sleep 0.2
	done
	die "caseline $cmd not ready on 127.0.0.1:$port after 20 s"
}

# --- the load runs ----------------------------------------------------------------------------
clk=$(getconf CLK_TCK)
serve_pid=""  # the process run_load measures
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$serve_pid/stat"; }
hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$serve_pid/status"; }
json() { awk -v k="\"$1\":" '$1 == k { v = $2; sub(/,$/, "", v); print v; exit }' "$2"; }

# run_load NAME ARGS… runs `caseline load` closed loop against serve_pid on port and leaves its
# figures in r_* variables. ARGS say how long (-duration, or -count jobs); without them a run
# stops after BENCH_SECONDS + 60 s.
run_load() {
	local name=$1; shift
	local load0 t0 t1 report=$work/$name.json
	load0=$(loadavg)
	t0=$(cpu_ticks)
	say "$name: $workers concurrent requests (load average $load0): $*"
	LISTEN_ADDR=127.0.0.1:$port PUBLIC_BASE_URL=http://127.0.0.1:$port bg_wait timeout $((secs + 120)) bin/caseline load \
		-workers "$workers" -duration "$((secs + 60))s" -phones "$phones" \
		-timeout 10s -json "$@" >"$report" || die "$name: caseline load failed"
	t1=$(cpu_ticks)
	kill -0 "$serve_pid" 2>/dev/null || die "caseline serve died during the $name run"
	local ok rate
	ok=$(json ok "$report")
	rate=$(json msgs_per_s "$report")
	r_rate=$(printf '%.0f' "$rate")
	r_p50=$(printf '%.1f' "$(json latency_p50_ms "$report")")
	r_p95=$(printf '%.1f' "$(json latency_p95_ms "$report")")
	r_p99=$(printf '%.1f' "$(json latency_p99_ms "$report")")
	r_ok=$ok
	r_errors=$(awk '/"errors": \{\}/ { next } /"errors": \{/ { on = 1; next } on && /\}/ { on = 0 } on { v = $NF; sub(/,$/, "", v); n += v } END { print n + 0 }' "$report")
	r_cpu=$(awk -v t="$((t1 - t0))" -v c="$clk" -v n="$ok" 'BEGIN { if (n > 0) printf "%.0f", t / c * 1e6 / n; else print "-" }')
	r_ratio="-"
	[[ -n $ceiling ]] && r_ratio=$(awk -v r="$rate" -v c="$ceiling" 'BEGIN { printf "%.2f", r / c }')
	r_load=$load0
	r_hwm=$(hwm_mb)
	if [[ $r_errors != 0 ]]; then
		say "$name: errors by kind:"; sed -n '/"errors"/,/}/p' "$report" >&2
	fi
	echo "$name: $r_rate msg/s  p50 ${r_p50}ms p95 ${r_p95}ms p99 ${r_p99}ms  $r_ok ok, $r_errors errors  serve ${r_cpu} cpu-µs/msg, peak RSS ${r_hwm} MiB  ratio $r_ratio  (load average $r_load)"
}

# sms_bodies is the SMS load's mix of keywords and menu answers.
sms_bodies=(-body MENU -body 1 -body 2 -body GIUP -body 3 -body "Dang ky" -body 4 -body TT)

# versions is the summary's header: date, cores, Go, PostgreSQL.
versions() {
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, Go $("$GO" env GOVERSION | sed 's/^go//'), PostgreSQL $(psql -X -At "$admin" -c 'SHOW server_version' | cut -d' ' -f1)"
}
