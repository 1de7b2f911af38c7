#!/usr/bin/env bash
# Restores a dump made by scripts/backup.sh into a database, which is created if absent.
#
#   scripts/restore.sh DUMP_FILE [DATABASE_URL]
#   env: DATABASE_URL; RESTORE_CLEAN=1 drops existing objects first (restore over a live copy)
#
# Stop the API and workers first (or point them at the restored database afterwards). The dump
# carries the _prisma_migrations table, so the API's migrate-on-start sees what was applied.
set -euo pipefail

dump="${1:?usage: scripts/restore.sh DUMP_FILE [DATABASE_URL]}"
url="${2:-${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/foliograph}}"
[ -f "$dump" ] || { echo "no such dump: $dump" >&2; exit 1; }

base="${url%%\?*}"
name="$(basename "$base")"
admin="${base%/*}/postgres"
if [ "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
  psql "$admin" -qc "CREATE DATABASE \"$name\""
fi

clean=()
[ "${RESTORE_CLEAN:-0}" = "1" ] && clean=(--clean --if-exists)
# One transaction: a failed restore leaves the database as it was.
pg_restore --dbname="$url" --no-owner --no-privileges --exit-on-error --single-transaction "${clean[@]}" "$dump"
echo "restored $dump into $name"
