#!/usr/bin/env bash
# services.sh makes sure the PostgreSQL and Redis that Caseline's defaults point at are up
# on 127.0.0.1, and that the role caseline (password caseline, LOGIN CREATEDB) and the
# database caseline exist. It is safe to run again and again: `make dev` and `make test`
# both start with it.
#
# On Debian it installs postgresql and redis-server when either is missing (with sudo
# unless it runs as root). PostgreSQL is reached as its OS user postgres for the one-time
# setup, falling back to `psql -h 127.0.0.1 -U postgres`; after that everything connects
# over 127.0.0.1 with the password, so it works whether pg_hba.conf says trust or scram.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
# Tests open a small pool per test database, and several packages test at once.
MIN_CONNECTIONS=100

say() { echo "services: $*" >&2; }
die() { say "$*"; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
	local have_pg=1 have_redis=1
	command -v pg_ctlcluster >/dev/null 2>&1 && command -v psql >/dev/null 2>&1 || have_pg=0
	command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || have_redis=0
	if [ "$have_pg" = 1 ] && [ "$have_redis" = 1 ]; then
		return
	fi
	command -v apt-get >/dev/null 2>&1 ||
		die "PostgreSQL or Redis is missing and this is not Debian: install postgresql and redis-server yourself"
	say "installing postgresql and redis-server"
	as_root apt-get update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql redis-server
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_up() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start_postgres() {
	pg_up && return
	local version
	version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
	[ -n "$version" ] || die "no PostgreSQL cluster in /etc/postgresql (try: pg_createcluster --start <version> main)"
	say "starting PostgreSQL $version"
	# "already running" is fine: the wait below decides.
	as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
}

start_redis() {
	redis_up && return
	say "starting Redis"
	# --dir keeps its snapshot out of the working directory.
	redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --dir "${TMPDIR:-/tmp}"
}

wait_for() {
	local what=$1 check=$2
	for _ in $(seq 60); do
		"$check" && return
		sleep 0.5
	done
	die "$what is not answering on 127.0.0.1 after 30 s"
}

# psql_admin runs psql as a superuser: the postgres OS user over the socket where we can
# become it, the postgres role over TCP otherwise.
psql_admin() {
	if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
	elif [ "$(id -u)" -eq 0 ]; then
		(cd / && su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $PG_PORT $(printf '%q ' "$@")")
	elif sudo -n true 2>/dev/null; then
		(cd / && sudo -u postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@")
	else
		psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@"
	fi
}

as_caseline() {
	PGPASSWORD=caseline psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U caseline "$@"
}

ensure_role_and_database() {
	# Already set up: nothing needs a superuser.
	if [ "$(as_caseline -d caseline -c "SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user" 2>/dev/null)" = t ]; then
		return
	fi
	say "creating role and database caseline"
	psql_admin -d postgres <<-'SQL'
		DO $$
		BEGIN
			IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caseline') THEN
				CREATE ROLE caseline LOGIN CREATEDB PASSWORD 'caseline';
			ELSE
				ALTER ROLE caseline LOGIN CREATEDB PASSWORD 'caseline';
			END IF;
		END
		$$;
		SELECT 'CREATE DATABASE caseline OWNER caseline'
		WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'caseline') \gexec
	SQL
	as_caseline -d caseline -c "SELECT 1" >/dev/null ||
		die "role caseline cannot log in over $PG_HOST:$PG_PORT with its password; check pg_hba.conf"
}

check_connections() {
	local max
	max=$(as_caseline -d caseline -c "SHOW max_connections")
	if [ "$max" -lt "$MIN_CONNECTIONS" ]; then
		say "warning: max_connections is $max; parallel tests want at least $MIN_CONNECTIONS"
	fi
}

install_missing
start_postgres
start_redis
wait_for PostgreSQL pg_up
wait_for Redis redis_up
ensure_role_and_database
check_connections
say "PostgreSQL on $PG_HOST:$PG_PORT and Redis on $REDIS_HOST:$REDIS_PORT are ready"
