#!/usr/bin/env bash
# Load benchmark of content moderation at N users / S statuses / R reports
# (default 1,000,000 / 200,000 / 50,000), on SQLite and PostgreSQL: seeds with
# `steward seed`, starts the release server, signs in as a moderator's admin,
# and drives the dashboard, the reports inbox (every sort, a deep page, the
# grouped view), a report page, the statuses list and the reports API with wrk
# (2 threads, 8 connections). Usage: [BACKENDS="sqlite postgres"] bench/reports.sh [N] [S] [R] [seconds per URL]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
S="${2:-200000}"
R="${3:-50000}"
SECS="${4:-10}"
. bench/lib.sh
build_release
OUT="$PWD/bench/out"; mkdir -p "$OUT"
PORT=3978
BASE="http://127.0.0.1:$PORT"
PASSWORD="benchmark password 1"

run_backend() { # $1 = name, $2 = DATABASE_URL, $3 = SQL runner reading a query on stdin
  local name="$1" url="$2" sql="$3"
  echo "## $name: $N users, $S statuses, $R reports"
  echo "$PASSWORD" | RUST_LOG=warn "$BIN" create-admin --nickname benchadmin --email bench@example.org --password-stdin --database-url "$url" >/dev/null
  /usr/bin/time -f "seed: %e s" env RUST_LOG=warn,sqlx=error "$BIN" seed --users "$N" --statuses "$S" --reports "$R" --database-url "$url"
  local token; token=$(RUST_LOG=warn "$BIN" create-token --nickname benchadmin --name bench --database-url "$url")
  local open_id deep_id
  open_id=$(echo "SELECT MAX(id) FROM reports WHERE state = 'open'" | eval "$sql")
  deep_id=$(echo "SELECT id FROM reports WHERE state = 'open' ORDER BY id DESC LIMIT 1 OFFSET 3000" | eval "$sql")
  deep_id="${deep_id:-$open_id}" # fewer than 3,000 open reports: any cursor will do
  RUST_LOG=warn DATABASE_URL="$url" "$BIN" serve --addr "127.0.0.1:$PORT" >"$OUT/server-reports-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
  local jar="$OUT/cookies-reports-$name"
  curl -s -c "$jar" -o /dev/null -H "Origin: $BASE" --data-urlencode nickname=benchadmin --data-urlencode "password=$PASSWORD" "$BASE/login"
  local cookie; cookie="steward_session=$(awk '$6 == "steward_session" {print $7}' "$jar")"
  printf '%-48s %10s %9s %9s\n' "URL" "req/s" "p50" "p99"
  local paths=(
    "/"
    "/reports"
    "/reports?after=$deep_id"
    "/reports?sort=oldest"
    "/reports?sort=most_reported"
    "/reports?view=grouped"
    "/reports?state=resolved"
    "/reports/$open_id"
    "/statuses"
    "/statuses?local=1&visibility=public"
  )
  for p in "${paths[@]}"; do
    bench_one "$p" -H "Cookie: $cookie"
  done
  bench_one "/api/v1/admin/reports?state=open&page_size=50" -H "Authorization: Bearer $token"
  bench_one "/api/v1/admin/reports/$open_id" -H "Authorization: Bearer $token"
  bench_one "/api/v1/admin/statuses?page_size=20" -H "Authorization: Bearer $token"
  echo "server RSS after the run: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
  kill -TERM "$pid"; wait "$pid" || true
  echo
}

BACKENDS="${BACKENDS:-sqlite postgres}"
if [[ " $BACKENDS " == *" sqlite "* ]]; then
rm -f "$OUT"/reports.db*
run_backend sqlite "sqlite://$OUT/reports.db" \
  "python3 -c \"import sqlite3,sys; r = sqlite3.connect('$OUT/reports.db').execute(sys.stdin.read()).fetchone(); print('' if r is None or r[0] is None else r[0])\""

fi

if [[ " $BACKENDS " == *" postgres "* ]]; then
DB=steward_bench_reports
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
run_backend postgres "postgres://postgres@127.0.0.1:5432/$DB" "psql -h 127.0.0.1 -U postgres -d $DB -tA"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB"
fi
