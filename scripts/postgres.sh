#!/usr/bin/env bash
# A throwaway local PostgreSQL for tests and CI: `scripts/postgres.sh start|stop|url`.
#
#   start  initdb's a cluster in $TIERLINE_PG_DIR (default /tmp/tierline-pg) if there is none, starts it on
#          127.0.0.1:$TIERLINE_PG_PORT (default 54329), creates the `tierline` role and database, prints DATABASE_URL
#   stop   stops the server (the cluster stays on disk; delete the directory to start over)
#   url    prints DATABASE_URL
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (Debian's package creates it).
# The cluster uses the C locale: text sorts by code point, as on SQLite and in JavaScript, so keyset pagination and
# merges that compare customer GIDs in JS agree with ORDER BY.
set -euo pipefail

DIR="${TIERLINE_PG_DIR:-/tmp/tierline-pg}"
PORT="${TIERLINE_PG_PORT:-54329}"
PASSWORD="${TIERLINE_PG_PASSWORD:-tierline}"
URL="postgresql://tierline:${PASSWORD}@127.0.0.1:${PORT}/tierline"

bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$found" ] || { echo "postgres.sh: PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_admin() {
  as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

start() {
  BIN="$(bindir)"
  if [ ! -s "$DIR/PG_VERSION" ]; then
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
    chmod 700 "$DIR"
    as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  fi
  if ! as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    # Tests, not durability: no fsync, and no autovacuum (its workers hold per-test databases being dropped; benches
    # ANALYZE themselves). The socket lives in the cluster directory (/var/run/postgresql may not exist).
    as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 30 start \
      -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c autovacuum=off" >/dev/null
  fi
  if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'tierline'")" != 1 ]; then
    # CREATEDB: the test harness makes a database per test from a migrated template.
    psql_admin -c "CREATE ROLE tierline LOGIN CREATEDB PASSWORD '${PASSWORD}'"
  fi
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'tierline'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE tierline OWNER tierline"
  fi
  echo "$URL"
}

stop() {
  BIN="$(bindir)"
  if [ -s "$DIR/PG_VERSION" ]; then as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null 2>&1 || true; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
