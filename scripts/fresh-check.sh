#!/usr/bin/env bash
# fresh-check.sh proves the README's two commands on a fresh Debian 12: it builds a minimal
# Debian 12 root with debootstrap (minbase: no make, no Go, no curl), copies the repository
# in, and there runs `bash scripts/dev.sh` until it says how to talk to it and /readyz
# answers 200 (then stops it, SIGTERM as Ctrl-C), then `bash scripts/test.sh` to the end, and
# prints how long each took. Then three short checks of scripts/services.sh's rules: as a
# user who is not root, with PostgreSQL running; a caseline role with another password is
# refused, its password untouched; without a superuser at hand, one line says what to do.
#
# Run it by hand, as root; it takes about half an hour and is not run in CI. FRESH_TREE=worktree
# copies the working tree (tracked and untracked files, not ignored ones) instead of HEAD;
# FRESH_KEEP=1 keeps the root in /var/tmp; FRESH_MIRROR picks the Debian mirror.
#
# The root runs in namespaces of its own (unshare): a network namespace, so its PostgreSQL
# and Redis take the usual ports without meeting this machine's; a PID namespace, so every
# process it starts ends with it; a mount namespace, so /proc, /dev/shm and the rest vanish
# with it whatever happens. Its only way out is an HTTP proxy (tinyproxy, on this machine's
# loopback, reached through a Unix socket by socat), named in http_proxy/https_proxy as a
# machine behind a proxy would have it.
set -euo pipefail
# shellcheck disable=SC2034 # read by say, in lib.sh
script_name=fresh-check
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

# --- inside the namespaces: fresh-check.sh --inside WORK ---------------------------------------
if [ "${1:-}" = --inside ]; then
	work=$2
	root=$work/root
	ip link set lo up
	mount -t proc proc "$root/proc"
	mount -t tmpfs -o mode=1777,size=1g tmpfs "$root/dev/shm"
	mount -t tmpfs -o mode=1777 tmpfs "$root/run/lock" 2>/dev/null || true
	for dev in null zero full random urandom tty; do
		[ -c "$root/dev/$dev" ] && continue
		rm -f "$root/dev/$dev"
		touch "$root/dev/$dev"
		mount --bind "/dev/$dev" "$root/dev/$dev"
	done
	socat TCP-LISTEN:3128,bind=127.0.0.1,fork,reuseaddr "UNIX-CONNECT:$work/proxy.sock" &

	# in_root runs a command in the root, with the environment of a fresh login.
	# shellcheck disable=SC2054 # the commas are no_proxy's
	in_root=(chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		http_proxy=http://127.0.0.1:3128 https_proxy=http://127.0.0.1:3128
		HTTP_PROXY=http://127.0.0.1:3128 HTTPS_PROXY=http://127.0.0.1:3128
		no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost)
	in_root() { "${in_root[@]}" "$@"; }
	ready() { [ "$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/readyz)" = 200 ]; }
	clock() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

	# 1. The dev command, until it is ready.
	start=$SECONDS
	# chroot, env, bash and dev.sh each exec the next: $! ends up being caseline itself.
	"${in_root[@]}" bash -c 'cd /src && exec bash scripts/dev.sh' >"$work/dev.log" 2>&1 &
	dev=$!
	until grep -q "Caseline is running" "$work/dev.log" && ready; do
		if ! kill -0 "$dev" 2>/dev/null || [ $((SECONDS - start)) -gt 3600 ]; then
			tail -n 40 "$work/dev.log" >&2
			die "bash scripts/dev.sh did not get ready"
		fi
		sleep 1
	done
	dev_time=$((SECONDS - start))
	kill -TERM "$dev"
	wait "$dev" || die "bash scripts/dev.sh did not stop cleanly on SIGTERM (see $work/dev.log)"

	# 2. The test command, to the end.
	start=$SECONDS
	test_status=passed
	in_root bash -c 'cd /src && bash scripts/test.sh' >"$work/test.log" 2>&1 || test_status="FAILED (exit $?)"
	test_time=$((SECONDS - start))

	# 3. services.sh's rules.
	in_root useradd -m newcomer
	as_newcomer() { in_root runuser -u newcomer -- bash -c 'cd /src && bash scripts/services.sh' 2>&1; }
	superuser() { in_root runuser -u postgres -- psql -X -q -At -d postgres -c "$1"; }
	if out=$(as_newcomer); then user_check=passed; else user_check="FAILED: $out"; fi

	superuser "ALTER ROLE caseline PASSWORD 'not-caseline'"
	if out=$(in_root bash -c 'cd /src && bash scripts/services.sh' 2>&1); then
		password_check="FAILED: services.sh accepted a role it cannot log in as"
	elif ! in_root env PGPASSWORD=not-caseline psql -X -q -At -h 127.0.0.1 -U caseline -d caseline -c "SELECT 1" >/dev/null; then
		password_check="FAILED: the password changed"
	else
		password_check="refused, password unchanged: $(echo "$out" | tail -n1)"
	fi
	superuser "ALTER ROLE caseline PASSWORD 'caseline'"

	superuser "ALTER ROLE caseline RENAME TO caseline_away"
	if out=$(as_newcomer); then
		admin_check="FAILED: services.sh passed without the role"
	else
		admin_check="$(echo "$out" | grep -c .) line: $(echo "$out" | tail -n1)"
	fi
	superuser "ALTER ROLE caseline_away RENAME TO caseline"

	go_line=$(grep -o 'Go [0-9.]* from [^(]*([^)]*)' "$work/dev.log" | head -n1 || true)
	versions=$(in_root bash -c 'echo "PostgreSQL $(psql --version | cut -d" " -f3), Redis $(redis-server --version | grep -o "v=[0-9.]*" | cut -c3-)"')
	cat >"$work/summary" <<-EOF
		== fresh-check $(date -u '+%Y-%m-%d %H:%M') UTC: Debian 12 (debootstrap minbase), $(nproc) cores, as root ==
		installed: ${go_line:-Go (see dev.log)}; $versions
		bash scripts/dev.sh   $(clock "$dev_time")  until "Caseline is running" and /readyz 200; stopped cleanly by SIGTERM
		bash scripts/test.sh  $(clock "$test_time")  $test_status: $(grep -c '^ok ' "$work/test.log") packages ok, $(grep -c '^--- FAIL' "$work/test.log") failed tests
		as a user, not root, PostgreSQL running: services.sh $user_check
		caseline role with another password: $password_check
		no superuser at hand, not root: $admin_check
	EOF
	[ "$test_status" = passed ]
	exit
fi

# --- on this machine --------------------------------------------------------------------------
is_root || die "run it as root: debootstrap, chroot and namespaces need it"
cd "$repo"
need_packages debootstrap:debootstrap unshare:util-linux socat:socat tinyproxy:tinyproxy ip:iproute2 curl:curl git:git

work=$(mktemp -d /var/tmp/caseline-fresh.XXXXXX)
root=$work/root
helpers=()
cleanup() {
	local status=$?
	for pid in ${helpers[@]+"${helpers[@]}"}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# The root's mounts died with its mount namespace; make sure before deleting anything.
	if grep -q " $root/" /proc/self/mounts; then
		grep " $root/" /proc/self/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l || true
	fi
	if grep -q " $root/" /proc/self/mounts; then
		say "something is still mounted under $root: left $work as it is"
	elif [ -n "${FRESH_KEEP:-}" ]; then
		say "kept $work"
	else
		rm -rf --one-file-system "$work"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building a minimal Debian 12 in $root (debootstrap)"
mkdir -p "$repo/.cache/debootstrap"
start=$SECONDS
debootstrap --variant=minbase --cache-dir="$repo/.cache/debootstrap" bookworm "$root" "${FRESH_MIRROR:-http://deb.debian.org/debian}" \
	>"$work/debootstrap.log" 2>&1 || {
	tail -n 20 "$work/debootstrap.log" >&2
	die "debootstrap failed"
}
say "debootstrap took $((SECONDS - start)) s"
# What a Debian 12 installation lists, not only what debootstrap needed.
cat >"$root/etc/apt/sources.list" <<EOF
deb ${FRESH_MIRROR:-http://deb.debian.org/debian} bookworm main
deb ${FRESH_MIRROR:-http://deb.debian.org/debian} bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF

# The certificate authorities this machine added (/usr/local/share/ca-certificates): where
# the network inspects TLS, a machine on it trusts them, or nothing downloads over HTTPS.
# Debian's ca-certificates takes them in when it is installed.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi

mkdir "$root/src"
if [ "${FRESH_TREE:-head}" = worktree ]; then
	say "copying the working tree"
	git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - | tar -x -C "$root/src"
else
	say "copying HEAD ($(git rev-parse --short HEAD))"
	git archive --format=tar HEAD | tar -x -C "$root/src"
fi

# The proxy: tinyproxy on a free loopback port, and a Unix socket the namespace can reach.
port=$((20000 + RANDOM % 30000))
while port_open 127.0.0.1 "$port"; do port=$((port + 1)); done
cat >"$work/tinyproxy.conf" <<EOF
Port $port
Listen 127.0.0.1
Allow 127.0.0.1
Timeout 600
MaxClients 64
ConnectPort 443
LogLevel Warning
EOF
tinyproxy -d -c "$work/tinyproxy.conf" >"$work/tinyproxy.log" 2>&1 &
helpers+=($!)
socat "UNIX-LISTEN:$work/proxy.sock,fork,mode=600" "TCP:127.0.0.1:$port" &
helpers+=($!)

say "running the two commands inside it (about half an hour); logs in $work"
status=0
unshare --net --pid --mount --fork --kill-child --mount-proc bash "$0" --inside "$work" || status=$?
if [ -s "$work/summary" ]; then
	cat "$work/summary"
else
	say "no summary: the last lines of the logs follow"
	tail -n 30 "$work"/*.log >&2 || true
fi
if [ "$status" -ne 0 ]; then
	FRESH_KEEP=1
	die "failed (exit $status); $work is kept"
fi
