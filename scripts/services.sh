#!/usr/bin/env bash
# services.sh makes sure PostgreSQL and Redis answer on 127.0.0.1 (5432 and 6379), where
# Caseline's defaults and the tests look, and that the role caseline (password caseline,
# LOGIN CREATEDB) and the database caseline exist. scripts/dev.sh and scripts/test.sh start
# with it; it is safe to run again and again. Arguments name more Debian packages to install
# in the same apt-get run, as command:package (scripts/test.sh adds redis-sentinel).
#
# On Debian and Ubuntu it installs what is missing (as root, or through sudo that needs no
# password). It never changes a role's password. It acts as a PostgreSQL superuser only
# where one is at hand without a password: root or sudo as the OS user postgres, or a
# superuser role of the current user (peer or trust authentication). With
# DATABASE_URL or TEST_DATABASE_URL set it leaves roles alone and only checks those work.
set -euo pipefail
# shellcheck disable=SC2034 # read by say, in lib.sh
script_name=services
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
# Tests open a small pool per test database, and several packages test at once.
MIN_CONNECTIONS=100

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_up() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
pg_server_installed() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }

# install_missing installs, in one apt-get run, the servers that neither answer nor are
# installed, the clients this script uses, and the packages "$@" names (command:package).
install_missing() {
	local pkgs=() pair
	port_open "$PG_HOST" "$PG_PORT" || pg_server_installed || pkgs+=(postgresql)
	port_open "$REDIS_HOST" "$REDIS_PORT" || command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
	for pair in psql:postgresql-client pg_isready:postgresql-client redis-cli:redis-tools "$@"; do
		if ! command -v "${pair%%:*}" >/dev/null 2>&1 && [[ " ${pkgs[*]-} " != *" ${pair#*:} "* ]]; then
			pkgs+=("${pair#*:}")
		fi
	done
	install_packages ${pkgs[@]+"${pkgs[@]}"}
}

start_postgres() {
	pg_up && return
	local version
	version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -n1)
	if [ -z "$version" ]; then
		pg_server_installed || die "PostgreSQL is not installed and nothing answers on $PG_HOST:$PG_PORT"
		version=$(basename "$(dirname "$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n1)")")")
		can_be_root || die "PostgreSQL $version has no cluster: as root, run  pg_createcluster --start $version main  then run this again"
		say "creating PostgreSQL $version's cluster main"
		as_root pg_createcluster --start "$version" main
		return
	fi
	can_be_root || die "PostgreSQL is not running on $PG_HOST:$PG_PORT and starting it needs root: run  sudo pg_ctlcluster $version main start  (or ask an administrator), then run this again"
	say "starting PostgreSQL $version"
	# "Already running" is fine: the wait below decides.
	if [ -d /run/systemd/system ]; then
		as_root systemctl start "postgresql@$version-main" || true
	else
		as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
	fi
}

start_redis() {
	redis_up && return
	say "starting Redis"
	# Any user may: it keeps nothing on disk (--save ''), and its directory is a temporary one.
	redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save '' --appendonly no --dir "${TMPDIR:-/tmp}"
}

wait_for() {
	local what=$1 check=$2
	for _ in $(seq 60); do
		"$check" && return
		sleep 0.5
	done
	die "$what is not answering on 127.0.0.1 after 30 s"
}

# admin is the psql command of a superuser that needs no password: found by find_admin.
admin=()

# find_admin tries, in turn, the OS user postgres (as root, or through password-less sudo)
# and the current user's own role, over the socket and then over TCP (trust), and keeps
# the first that is a superuser. It never asks for a password.
find_admin() {
	local candidates=() c
	if is_root && command -v runuser >/dev/null 2>&1; then
		candidates+=("runuser -u postgres -- psql")
	elif can_be_root; then
		candidates+=("sudo -n -u postgres psql")
	fi
	candidates+=("psql -d postgres" "psql -h $PG_HOST -d postgres" "psql -h $PG_HOST -U postgres -d postgres")
	for c in "${candidates[@]}"; do
		# shellcheck disable=SC2086 # each candidate is a command line
		if [ "$(cd / && $c -X -w -q -At -p "$PG_PORT" -c "SELECT rolsuper FROM pg_roles WHERE rolname = current_user" 2>/dev/null)" = t ]; then
			read -ra admin <<<"$c"
			return 0
		fi
	done
	return 1
}

psql_admin() { (cd / && "${admin[@]}" -X -w -q -At -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"); }

as_caseline() {
	PGPASSWORD=caseline psql -X -w -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U caseline "$@"
}

no_admin="no PostgreSQL superuser is at hand without a password (not root, no password-less sudo, no superuser role of yours): have an administrator run  CREATE ROLE caseline LOGIN CREATEDB PASSWORD 'caseline';  (for example  sudo -u postgres psql -c \"...\"), or set DATABASE_URL and TEST_DATABASE_URL to a database and a role of yours that may create databases, then run this again"

ensure_role_and_database() {
	if [ -n "${DATABASE_URL:-}${TEST_DATABASE_URL:-}" ]; then
		local url
		for url in ${DATABASE_URL:-} ${TEST_DATABASE_URL:-}; do
			psql -X -w -q -At "$url" -c "SELECT 1" >/dev/null ||
				die "DATABASE_URL or TEST_DATABASE_URL is set, and PostgreSQL refuses it (the error above)"
		done
		say "DATABASE_URL or TEST_DATABASE_URL is set: using it, leaving roles alone"
		return
	fi
	local login
	if login=$(as_caseline -d postgres -c "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>&1); then
		if [ "$login" != t ]; then
			find_admin || die "the role caseline may not create databases, which the tests need: $no_admin"
			say "letting the role caseline create databases"
			psql_admin -d postgres -c "ALTER ROLE caseline CREATEDB"
		fi
		if [ -z "$(as_caseline -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'caseline'")" ]; then
			say "creating the database caseline"
			as_caseline -d postgres -c "CREATE DATABASE caseline"
		fi
		return
	fi
	# caseline cannot log in: the role is missing, has another password, or pg_hba.conf
	# refuses it. Only a superuser can tell, and only a missing role is ours to make.
	find_admin || die "the role caseline cannot log in ($(echo "$login" | head -n1)); $no_admin"
	if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'caseline'")" = 1 ]; then
		die "the role caseline exists but cannot log in over $PG_HOST:$PG_PORT with the password caseline ($(echo "$login" | head -n1)); this script never changes a password: set DATABASE_URL and TEST_DATABASE_URL to URLs with its password, or change it yourself"
	fi
	say "creating the role and the database caseline"
	psql_admin -d postgres -c "CREATE ROLE caseline LOGIN CREATEDB PASSWORD 'caseline'"
	psql_admin -d postgres -c "CREATE DATABASE caseline OWNER caseline"
	as_caseline -d caseline -c "SELECT 1" >/dev/null ||
		die "the role caseline cannot log in over $PG_HOST:$PG_PORT with its password; pg_hba.conf needs a line like  host all all 127.0.0.1/32 scram-sha-256"
}

check_connections() {
	[ -z "${DATABASE_URL:-}${TEST_DATABASE_URL:-}" ] || return 0
	local max
	max=$(as_caseline -d caseline -c "SHOW max_connections")
	if [ "$max" -lt "$MIN_CONNECTIONS" ]; then
		say "warning: max_connections is $max; parallel tests want at least $MIN_CONNECTIONS"
	fi
}

install_missing "$@"
start_postgres
start_redis
wait_for PostgreSQL pg_up
wait_for Redis redis_up
ensure_role_and_database
check_connections
say "PostgreSQL on $PG_HOST:$PG_PORT and Redis on $REDIS_HOST:$REDIS_PORT are ready"
