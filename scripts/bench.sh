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
# The pieces it shares with bench-scale.sh are in bench-lib.sh, with the variables they read;
# BENCH_SKIP_WORKERS=1 skips the workers' benchmarks, BENCH_SKIP_CONSOLE=1 the console's.
# BENCH_BASELINE=REV (a commit) also runs the three inbound loads against REV's server and
# this tree's, in the order REV, this, this, REV, each on a fresh server and database: the
# change told apart from the machine's drift within one run (see compare below).
set -euo pipefail
bench_name=bench
# shellcheck source=scripts/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

prepare
measure_ceiling

# --- a scratch database and the server --------------------------------------------------------
db="caseline_bench_$$"
new_db "$db"
start_caseline serve "$db_url" "$work/serve.log"
serve_pid=$last_pid port=$last_port
say "caseline serve (pid $serve_pid) ready on 127.0.0.1:$port, database $db"

# --- the load runs ----------------------------------------------------------------------------
# SMS: a mix of keywords and menu answers over a pool of numbers large enough that no number
# repeats itself five times (loop protection would silence it). First as many messages as
# numbers: each worker walks its own share of the pool, so nearly every one is a number's
# first and creates its dialog session (the first-contact path, one round trip more). Then
# the steady state the target is about: numbers that have written before.
run_load sms-first "${sms_bodies[@]}" -count "$phones"
first=("$r_rate" "$r_p50" "$r_p95" "$r_p99" "$r_errors" "$r_cpu" "$r_ratio" "$r_load" "$r_ok")
run_load sms "${sms_bodies[@]}" -count 0 -duration "${secs}s"
sms=("$r_rate" "$r_p50" "$r_p95" "$r_p99" "$r_errors" "$r_cpu" "$r_ratio" "$r_load" "$r_ok")
# USSD: dial, then the menu's "get help" and a category: three hops a session.
run_load ussd -ussd-share 1 -ussd-inputs 3,2 -duration "${secs}s"
ussd=("$r_rate" "$r_p50" "$r_p95" "$r_p99" "$r_errors" "$r_cpu" "$r_ratio" "$r_load" "$r_ok")
peak=$(hwm_mb)

# --- against a baseline commit ----------------------------------------------------------------
# The machine's own speed drifts by more than a change costs (the ceiling moved 2,300–3,500 tps
# within minutes here), so a figure is compared only with another of the same minutes: REV's
# server and this tree's take turns, REV first and last, so a steady drift weighs on both alike.
# The load generator is this tree's for both. got[SIDE,RUN] collects each side's rates, and
# cpu[SIDE,RUN] the serve process's CPU per message.
declare -A got=() cpu=()
baseline=""
if [[ -n ${BENCH_BASELINE:-} ]]; then
	baseline=$(git rev-parse --short "${BENCH_BASELINE}^{commit}" 2>/dev/null) || die "BENCH_BASELINE=$BENCH_BASELINE is not a commit of this repository"
	say "baseline: building $baseline's caseline"
	mkdir -p "$work/base"
	git archive "$baseline" | tar -x -C "$work/base"
	(cd "$work/base" && timeout 300 "$GO" build -o "$work/caseline-base" ./cmd/caseline) || die "cannot build $baseline"
	stop_pid "$serve_pid"
	round=0
	for side in base this this base; do
		serve_bin=bin/caseline
		[[ $side == base ]] && serve_bin=$work/caseline-base
		round=$((round + 1))
		new_db "caseline_bench_$$_$round"
		start_caseline serve "$db_url" "$work/serve.log"
		serve_pid=$last_pid port=$last_port
		say "round $round of 4: $side ($serve_bin)"
		run_load "$side-sms-first" "${sms_bodies[@]}" -count "$phones"
		got[$side,first]+=" $r_rate" cpu[$side,first]+=" $r_cpu"
		run_load "$side-sms" "${sms_bodies[@]}" -count 0 -duration "${secs}s"
		got[$side,sms]+=" $r_rate" cpu[$side,sms]+=" $r_cpu"
		run_load "$side-ussd" -ussd-share 1 -ussd-inputs 3,2 -duration "${secs}s"
		got[$side,ussd]+=" $r_rate" cpu[$side,ussd]+=" $r_cpu"
		stop_pid "$serve_pid"
	done
	serve_bin=bin/caseline
fi

# compare RUN LABEL prints one summary line of the baseline comparison: each side's mean rate,
# its two runs and their CPU per message, the spread of the two (their difference in % of
# their mean), and this tree against the baseline: "within noise" when the difference is no
# larger than the larger spread.
compare() {
	awk -v label="$2" -v b="${got[base,$1]}" -v t="${got[this,$1]}" -v bc="${cpu[base,$1]}" -v tc="${cpu[this,$1]}" '
		function mean(s,   a, n, i, x) { n = split(s, a, " "); x = 0; for (i = 1; i <= n; i++) x += a[i]; return n ? x / n : 0 }
		function spread(s,   a, m, d) { split(s, a, " "); m = mean(s); d = a[1] - a[2]; if (d < 0) d = -d; return m ? 100 * d / m : 0 }
		BEGIN {
			mb = mean(b); mt = mean(t); sb = spread(b); st = spread(t)
			diff = mb ? 100 * (mt - mb) / mb : 0
			noise = sb > st ? sb : st
			verdict = (diff <= noise && -diff <= noise) ? "within noise" : (diff > 0 ? "faster beyond noise" : "SLOWER beyond noise")
			printf "  %-17s base %5.0f (runs%s; cpu-µs%s)  this %5.0f (runs%s; cpu-µs%s)\n", label, mb, b, bc, mt, t, tc
			printf "  %-17s this vs base %+.1f %%, spreads %.1f %% and %.1f %%: %s\n", "", diff, sb, st, verdict
		}'
}

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

== caseline bench summary ($(versions)) ==
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
if [[ -n $baseline ]]; then
	echo "against BENCH_BASELINE=$baseline (runs in the order base, this, this, base; each a fresh server and database; rates in msg/s, USSD in hop/s):"
	compare first "SMS first contact"
	compare sms "SMS"
	compare ussd "USSD"
fi
