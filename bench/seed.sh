#!/usr/bin/env bash
# Times `steward seed --users N` into a fresh SQLite file and a fresh
# PostgreSQL database, printing rows/s, the index build on its own line,
# peak RSS, the database size and its largest tables and indexes.
# Usage: [BACKENDS="sqlite postgres"] [KEEP=1] bench/seed.sh [N] (default 1000000).
# KEEP=1 leaves the databases (bench/out/seed.db, steward_bench_seed) to look into.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
. bench/lib.sh
build_release
OUT="bench/out"; mkdir -p "$OUT"
BACKENDS="${BACKENDS:-sqlite postgres}"

if [[ " $BACKENDS " == *" sqlite "* ]]; then
  echo "## SQLite, $N users"
  rm -f "$OUT"/seed.db*
  /usr/bin/time -f "wall %e s, max RSS %M KiB" "$BIN" seed --users "$N" --database-url "sqlite://$OUT/seed.db"
  echo "database size: $(du -h "$OUT/seed.db" | cut -f1)"
  echo "largest tables and indexes (MB):"
  python3 - "$OUT/seed.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12").fetchall()
for name, size in rows:
    print(f"  {name:32} {size / 1e6:9.1f}")
PY
  [ "${KEEP:-}" = 1 ] || rm -f "$OUT"/seed.db*
  echo
fi

if [[ " $BACKENDS " == *" postgres "* ]]; then
  echo "## PostgreSQL, $N users"
  DB="steward_bench_seed"
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  /usr/bin/time -f "wall %e s, max RSS %M KiB" "$BIN" seed --users "$N" --database-url "postgres://postgres@127.0.0.1:5432/$DB"
  psql -q -h 127.0.0.1 -U postgres -d "$DB" -tAc "SELECT 'database size: ' || pg_size_pretty(pg_database_size('$DB'))"
  echo "largest tables and indexes (MB):"
  psql -q -h 127.0.0.1 -U postgres -d "$DB" -tA -F ' ' -c \
    "SELECT '  ' || rpad(relname, 32), round(pg_relation_size(oid) / 1e6, 1) FROM pg_class
     WHERE relkind IN ('r', 'i') AND relnamespace = 'public'::regnamespace ORDER BY pg_relation_size(oid) DESC LIMIT 12"
  [ "${KEEP:-}" = 1 ] || psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB"
fi
