#!/usr/bin/env bash
# bench.sh — the load benchmark in one run (`make bench`): this machine's PostgreSQL ceiling
# (../shared/bench/ceiling.sh), then `caseline serve` on a fresh scratch database loaded by
# `caseline load` with signed Twilio SMS webhooks and then with USSD sessions, closed loop;
# then the workers' reminder fan-out benchmarks when the tree has them, and the staff console's
# pages with 10,000 people in a commune (p99 of each). It prints, per run,
# messages/s, p50/p95/p99 latency, errors, the serve process's CPU per message and peak RSS,
# and the ratio to the ceiling measured in the same run, and ends with a summary block.
#
# Everything stays on loopback, every step is bounded in time, and the server and the scratch
# database are removed on exit, failure or Ctrl-C.
#
# Env (defaults):  BENCH_SECONDS (20) per load run · BENCH_WORKERS (32) concurrent requests ·
#   BENCH_PHONES (20000) pool of numbers · CEILING_SECONDS (10) · CEILING_SH (found next to the
#   repository, see below) · BENCH_SKIP_WORKERS=1 skips the workers' benchmarks ·
#   BENCH_SKIP_CONSOLE=1 skips the console's ·
#   BENCH_ADMIN_URL, a role that may create databases (the caseline role services.sh makes).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

secs=${BENCH_SECONDS:-20}
workers=${BENCH_WORKERS:-32}
phones=${BENCH_PHONES:-20000}
ceiling_secs=${CEILING_SECONDS:-10}
admin=${BENCH_ADMIN_URL:-postgres://caseline:caseline@127.0.0.1:5432/postgres?sslmode=disable}
GO=${GO:-go}

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# --- cleanup, whatever happens ----------------------------------------------------------------
db=""
serve_pid=""
child=""
work=$(mktemp -d "${TMPDIR:-/tmp}/caseline-bench.XXXXXX")
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $child ]]; then
		kill -TERM "$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
	if [[ -n $serve_pid ]] && kill -0 "$serve_pid" 2>/dev/null; then
		kill -TERM "$serve_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	if [[ -n $db ]]; then
		timeout 30 psql -X -q "$admin" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 ||
			say "could not drop the scratch database $db; drop it by hand"
	fi
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

# --- services and the binary ------------------------------------------------------------------
timeout 300 bash scripts/services.sh
say "building bin/caseline"
timeout 300 "$GO" build -o bin/caseline ./cmd/caseline
for d in /usr/lib/postgresql/*/bin; do [[ -d $d ]] && PATH=$PATH:$d; done

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
ceiling=""
ceiling_load=""
ceiling_sh=$(find_ceiling)
if [[ -z $ceiling_sh || ! -f $ceiling_sh ]]; then
	say "../shared/bench/ceiling.sh is missing: no ceiling, so no ratio (set CEILING_SH to its path)"
else
	ceiling_load=$(loadavg)
	say "ceiling: $ceiling_sh $ceiling_secs (load average $ceiling_load)"
	if bg_wait timeout $((ceiling_secs + 120)) bash "$ceiling_sh" "$ceiling_secs" >"$work/ceiling.txt"; then
		ceiling=$(awk '/^ceiling_tps/ { print $2 }' "$work/ceiling.txt")
	fi
	[[ -n $ceiling ]] || say "ceiling.sh failed or printed nothing: continuing without the ratio"
fi

# --- a scratch database and the server --------------------------------------------------------
db="caseline_bench_$$"
timeout 30 psql -X -q "$admin" -c "CREATE DATABASE \"$db\"" >/dev/null || die "cannot create database $db"
db_url="postgres://caseline:caseline@127.0.0.1:5432/$db?sslmode=disable"

free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
	die "no free loopback port found"
}
port=$(free_port)

export DATABASE_URL=$db_url
export REDIS_URL=redis://127.0.0.1:6379/13
export LISTEN_ADDR=127.0.0.1:$port
export PUBLIC_BASE_URL=http://127.0.0.1:$port
export TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
export TWILIO_AUTH_TOKEN=bench-auth-token-0123456789
export TWILIO_FROM=+84901000000
export USSD_TOKEN=bench-ussd-token
export ANDROID_GATEWAY_PASSWORD=bench-android
export LOG_LEVEL=warn

timeout 60 bin/caseline migrate up >/dev/null
bin/caseline serve >"$work/serve.log" 2>&1 &
serve_pid=$!
ready=""
for _ in $(seq 100); do
	kill -0 "$serve_pid" 2>/dev/null || die "caseline serve exited"
	if curl -fsS -m 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
	sleep 0.2
done
[[ -n $ready ]] || die "caseline serve not ready on 127.0.0.1:$port after 20 s"
say "caseline serve (pid $serve_pid) ready on 127.0.0.1:$port, database $db"

# --- the load runs ----------------------------------------------------------------------------
clk=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$serve_pid/stat"; }
hwm_mb() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$serve_pid/status"; }
json() { awk -v k="\"$1\":" '$1 == k { v = $2; sub(/,$/, "", v); print v; exit }' "$2"; }

# run NAME ARGS… runs `caseline load` closed loop and leaves its figures in r_* variables. ARGS
# say how long (-duration, or -count jobs); without them a run stops after BENCH_SECONDS + 60 s.
run_load() {
	local name=$1; shift
	local load0 t0 t1 report=$work/$name.json
	load0=$(loadavg)
	t0=$(cpu_ticks)
	say "$name: $workers concurrent requests (load average $load0): $*"
	bg_wait timeout $((secs + 120)) bin/caseline load -workers "$workers" -duration "$((secs + 60))s" -phones "$phones" \
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

# SMS: a mix of keywords and menu answers over a pool of numbers large enough that no number
# repeats itself five times (loop protection would silence it). First as many messages as
# numbers: each worker walks its own share of the pool, so nearly every one is a number's
# first and creates its dialog session (the first-contact path, one round trip more). Then
# the steady state the target is about: numbers that have written before.
sms_bodies=(-body MENU -body 1 -body 2 -body GIUP -body 3 -body "Dang ky" -body 4 -body TT)
run_load sms-first "${sms_bodies[@]}" -count "$phones"
first=("$r_rate" "$r_p50" "$r_p95" "$r_p99" "$r_errors" "$r_cpu" "$r_ratio" "$r_load" "$r_ok")
run_load sms "${sms_bodies[@]}" -count 0 -duration "${secs}s"
sms=("$r_rate" "$r_p50" "$r_p95" "$r_p99" "$r_errors" "$r_cpu" "$r_ratio" "$r_load" "$r_ok")
# USSD: dial, then the menu's "get help" and a category: three hops a session.
run_load ussd -ussd-share 1 -ussd-inputs 3,2 -duration "${secs}s"
ussd=("$r_rate" "$r_p50" "$r_p95" "$r_p99" "$r_errors" "$r_cpu" "$r_ratio" "$r_load" "$r_ok")
peak=$(hwm_mb)

# --- the workers' fan-out benchmarks ----------------------------------------------------------
wbench="Fanout|RateLimit|DeadlineLatency|RedisMemory"
workers_note=""
if [[ ${BENCH_SKIP_WORKERS:-} == 1 ]]; then
	workers_note="skipped (BENCH_SKIP_WORKERS=1)"
# The list is read whole first: under pipefail, grep -q closing the pipe early would fail it.
elif listed=$(timeout 300 "$GO" test ./workers -list "Benchmark($wbench)" 2>/dev/null) && grep -q '^Benchmark' <<<"$listed"; then
	say "workers: go test ./workers -run '^\$' -bench '$wbench' -benchtime 1x (load average $(loadavg))"
	if bg_wait timeout 600 "$GO" test ./workers -run '^$' -bench "$wbench" -benchtime 1x; then
		workers_note="ran (see above)"
	else
		workers_note="FAILED (see above)"
	fi
else
	workers_note="not in this tree (no Benchmark matching $wbench in ./workers): skipped"
	say "workers: $workers_note"
fi

# --- the staff console's pages ---------------------------------------------------------------
# The inbox, a person's page, a search and the report of a commune of 10,000 people, over HTTP;
# each reports its p99 (PRODUCT.md: at most 100 ms).
console_note=""
if [[ ${BENCH_SKIP_CONSOLE:-} == 1 ]]; then
	console_note="skipped (BENCH_SKIP_CONSOLE=1)"
else
	say "console: go test ./gateway/console -run '^\$' -bench Pages -benchtime 200x (load average $(loadavg))"
	if console_out=$(timeout 600 "$GO" test ./gateway/console -run '^$' -bench Pages -benchtime 200x 2>&1); then
		console_note=$(grep '^BenchmarkPages/' <<<"$console_out" | awk '{sub(/^BenchmarkPages\//, "", $1); sub(/-[0-9]+$/, "", $1); printf "%s p99 %s ms; ", $1, $7}')
	else
		console_note="FAILED"
		echo "$console_out" >&2
	fi
fi

# --- summary ----------------------------------------------------------------------------------
cat <<EOF

== caseline bench summary ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, Go $("$GO" env GOVERSION | sed 's/^go//'), PostgreSQL $(psql -X -At "$admin" -c 'SHOW server_version' | cut -d' ' -f1)) ==
ceiling (pgbench, 16 clients, ${ceiling_secs}s): ${ceiling:-n/a} tps        (load average ${ceiling_load:-n/a})
closed loop, $workers concurrent requests, $phones phones:
  SMS first contact (${first[8]} messages, the pool's numbers in turn: nearly all a number's first):
        ${first[0]} msg/s  p50 ${first[1]} ms  p95 ${first[2]} ms  p99 ${first[3]} ms  ${first[4]} errors  ${first[6]} × ceiling  serve ${first[5]} cpu-µs/msg  (load average ${first[7]})
  then ${secs}s each:
  SMS   ${sms[0]} msg/s  p50 ${sms[1]} ms  p95 ${sms[2]} ms  p99 ${sms[3]} ms  ${sms[4]} errors  ${sms[6]} × ceiling  serve ${sms[5]} cpu-µs/msg  (load average ${sms[7]})
  USSD  ${ussd[0]} hop/s  p50 ${ussd[1]} ms  p95 ${ussd[2]} ms  p99 ${ussd[3]} ms  ${ussd[4]} errors  ${ussd[6]} × ceiling  serve ${ussd[5]} cpu-µs/hop  (load average ${ussd[7]})
serve peak RSS (VmHWM): ${peak} MiB
workers fan-out benchmarks: $workers_note
console pages (10,000 people): $console_note
EOF
