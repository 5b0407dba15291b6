#!/usr/bin/env bash
# Times `steward seed --users N` into a fresh SQLite file and a fresh
# PostgreSQL database, printing rows/s, the index build on its own line,
# and the database size. Usage: bench/seed.sh [N] (default 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# Same compile-time env as `cargo leptos build --release`, so both share artifacts.
# The compile-time env of `cargo leptos build --release` (always-erase-components), so both share artifacts.
LEPTOS_OUTPUT_NAME=steward RUSTFLAGS="--cfg erase_components" cargo build --release --features ssr --bin steward >&2
BIN="$CARGO_TARGET_DIR/release/steward"
OUT="bench/out"; mkdir -p "$OUT"

echo "## SQLite, $N users"
rm -f "$OUT"/seed.db*
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$BIN" seed --users "$N" --database-url "sqlite://$OUT/seed.db"
echo "database size: $(du -h "$OUT/seed.db" | cut -f1)"

echo
echo "## PostgreSQL, $N users"
DB="steward_bench_seed"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
/usr/bin/time -f "wall %e s, max RSS %M KiB" "$BIN" seed --users "$N" --database-url "postgres://postgres@127.0.0.1:5432/$DB"
psql -q -h 127.0.0.1 -U postgres -d "$DB" -tAc "SELECT 'database size: ' || pg_size_pretty(pg_database_size('$DB'))"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB"
