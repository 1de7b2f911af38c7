#!/usr/bin/env bash
# Restores a dump made by scripts/backup.sh into a database, which is created if absent.
#
#   scripts/restore.sh DUMP_FILE [DATABASE_URL]
#   env: DATABASE_URL; RESTORE_CLEAN=1 drops existing objects first (restore over a live copy)
#
# Stop the API and workers first (or point them at the restored database afterwards). The dump
# carries the _prisma_migrations table, so the API's migrate-on-start sees what was applied.
#
# TimescaleDB: when the dump holds the timescaledb extension, the target gets the extension
# first and is put in restore mode around pg_restore (timescaledb_pre_restore() /
# timescaledb_post_restore(), as TimescaleDB's documentation requires); restore such a dump into
# a new database (RESTORE_CLEAN is refused) on a server where the extension is installed.
set -euo pipefail

dump="${1:?usage: scripts/restore.sh DUMP_FILE [DATABASE_URL]}"
url="${2:-${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/foliograph}}"
[ -f "$dump" ] || { echo "no such dump: $dump" >&2; exit 1; }
# Read the dump's table of contents before touching anything: a broken dump stops here.
contents="$(pg_restore --list "$dump")" || { echo "not a pg_dump custom-format archive: $dump" >&2; exit 1; }
timescale=0
if grep -Eq ' EXTENSION - timescaledb( |$)' <<<"$contents"; then timescale=1; fi
if [ "$timescale" = 1 ] && [ "${RESTORE_CLEAN:-0}" = "1" ]; then
  echo "this dump uses TimescaleDB: restore it into a new database, not with RESTORE_CLEAN=1" >&2
  exit 1
fi

base="${url%%\?*}"
name="$(basename "$base")"
admin="${base%/*}/postgres"
if [ "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
  psql "$admin" -qc "CREATE DATABASE \"$name\""
fi

if [ "$timescale" = 1 ]; then
  if ! psql "$url" -v ON_ERROR_STOP=1 -qc 'CREATE EXTENSION IF NOT EXISTS timescaledb' -c 'SELECT timescaledb_pre_restore()' >/dev/null; then
    echo "this dump uses TimescaleDB: install the timescaledb extension on the target server first" >&2
    exit 1
  fi
fi

clean=()
[ "${RESTORE_CLEAN:-0}" = "1" ] && clean=(--clean --if-exists)
# One transaction: a failed restore leaves the database as it was.
status=0
pg_restore --dbname="$url" --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" "$dump" || status=$?
# Leave restore mode whatever happened: TimescaleDB's background jobs stay off until then.
if [ "$timescale" = 1 ]; then psql "$url" -v ON_ERROR_STOP=1 -qc 'SELECT timescaledb_post_restore()' >/dev/null; fi
[ "$status" = 0 ] || exit "$status"
echo "restored $dump into $name"
