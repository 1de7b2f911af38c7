#!/usr/bin/env bash
# Logical backup of foliograph's PostgreSQL database: `pg_dump --format=custom` (compressed,
# restorable table by table with pg_restore), written atomically, then old dumps pruned.
#
#   scripts/backup.sh [DATABASE_URL] [BACKUP_DIR]
#   env: DATABASE_URL, BACKUP_DIR (default ./backups), BACKUP_KEEP_DAYS (default 14)
#
# Dumps are readable by their owner only (0600, in a 0700 directory): they hold every user's data.
# Prints the path of the new dump. Redis is not backed up: it holds caches, rate-limit counters,
# queues and a mirror of revocations, all rebuilt from PostgreSQL or harmless to lose.
set -euo pipefail

url="${1:-${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/foliograph}}"
dir="${2:-${BACKUP_DIR:-./backups}}"
keep_days="${BACKUP_KEEP_DAYS:-14}"

umask 077
mkdir -p "$dir"
chmod 700 "$dir"
name="$(basename "${url%%\?*}")"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$dir/foliograph-$name-$stamp.dump"
partial="$target.partial"

# --no-owner/--no-privileges: the dump restores into a database owned by another role.
pg_dump --dbname="$url" --format=custom --compress=6 --no-owner --no-privileges --file="$partial"
# A dump that pg_restore cannot list is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"
chmod 600 "$target"

# Retention: dumps older than BACKUP_KEEP_DAYS days go (0 keeps everything).
if [ "$keep_days" -gt 0 ]; then
  find "$dir" -maxdepth 1 -name 'foliograph-*.dump' -type f -mtime +"$keep_days" -print -delete >&2
fi
echo "$target"
