#!/usr/bin/env bash
# Load benchmark of the user list at N users (default 1,000,000), on SQLite and
# PostgreSQL: seeds with `steward seed`, starts the release server, signs in,
# and drives each URL with wrk (2 threads, 8 connections). Prints req/s, p50,
# p99 and the server's RSS, then exports every user as CSV once and prints the
# server's peak heap during it. Usage: [BACKENDS="sqlite postgres"] bench/users.sh [N] [seconds per URL]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"
SECS="${2:-10}"
. bench/lib.sh
build_release
OUT="$PWD/bench/out"; mkdir -p "$OUT"
PORT=3977
BASE="http://127.0.0.1:$PORT"
PASSWORD="benchmark password 1"

# A cursor ~half-way down the newest-first list: what the page's "Next" links carry.
cursor_at() { # $1 = created_at, $2 = id
  python3 -c "import base64,json,sys; print(base64.urlsafe_b64encode(json.dumps({'key':{'Int':int(sys.argv[1])},'id':int(sys.argv[2])}).encode()).decode().rstrip('='))" "$1" "$2"
}

run_backend() { # $1 = name, $2 = DATABASE_URL, $3 = command printing "created_at id" of the row half-way down
  local name="$1" url="$2"
  echo "## $name, $N users"
  RUST_LOG=warn,sqlx=error "$BIN" seed --users "$N" --database-url "$url"
  echo "$PASSWORD" | RUST_LOG=warn "$BIN" create-admin --nickname benchadmin --email bench@example.org --password-stdin --database-url "$url" >/dev/null
  local token; token=$(RUST_LOG=warn "$BIN" create-token --nickname benchadmin --name bench --database-url "$url")
  read -r mid_created mid_id < <(eval "$3")
  local deep; deep=$(cursor_at "$mid_created" "$mid_id")
  RUST_LOG=warn DATABASE_URL="$url" "$BIN" serve --addr "127.0.0.1:$PORT" >"$OUT/server-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
  local jar="$OUT/cookies-$name"
  curl -s -c "$jar" -o /dev/null -H "Origin: $BASE" --data-urlencode nickname=benchadmin --data-urlencode "password=$PASSWORD" "$BASE/login"
  local cookie; cookie="steward_session=$(awk '$6 == "steward_session" {print $7}' "$jar")"
  printf '%-48s %10s %9s %9s\n' "URL" "req/s" "p50" "p99"
  local paths=(
    "/users"
    "/users?q=john"
    "/users?status=active&origin=local"
    "/users?q=john&status=active"
    "/users?after=$deep"
    "/users?role=admin"
    "/users?tag=vip"
    "/users?domain=gmail.com"
  )
  for p in "${paths[@]}"; do
    bench_one "$p" -H "Cookie: $cookie"
  done
  bench_one "/api/v1/admin/users?page_size=50" -H "Authorization: Bearer $token"
  export_all "$pid" -H "Cookie: $cookie"
  echo "server RSS after the run: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"
  kill -TERM "$pid"; wait "$pid" || true
  echo
}

# The CSV export of every user, once: rows, seconds, and the server's peak
# anonymous memory (heap; RssAnon leaves out the SQLite file's mmap'd pages).
export_all() { # $1 = server pid, rest = curl header args
  local pid="$1"; shift
  anon_kb() { awk '/RssAnon/ {print $2}' "/proc/$pid/status"; }
  local before peak now; before=$(anon_kb); peak=$before
  local start; start=$(date +%s.%N)
  curl -s "$@" "$BASE/users/export.csv" -o "$OUT/export.csv" &
  local curl_pid=$!
  while kill -0 "$curl_pid" 2>/dev/null; do
    now=$(anon_kb); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  wait "$curl_pid"
  local secs rows; secs=$(echo "$(date +%s.%N) - $start" | bc); rows=$(($(wc -l <"$OUT/export.csv") - 1))
  printf 'CSV export of all users: %s rows in %.1f s; server heap %s MB before, %s MB peak\n' \
    "$rows" "$secs" "$((before / 1024))" "$((peak / 1024))"
}

BACKENDS="${BACKENDS:-sqlite postgres}"
if [[ " $BACKENDS " == *" sqlite "* ]]; then
rm -f "$OUT"/bench.db*
run_backend sqlite "sqlite://$OUT/bench.db" \
  "python3 -c \"import sqlite3; c=sqlite3.connect('$OUT/bench.db'); print(*c.execute('SELECT created_at, id FROM users ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?', ($N//2,)).fetchone())\""

fi

if [[ " $BACKENDS " == *" postgres "* ]]; then
DB=steward_bench_users
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
run_backend postgres "postgres://postgres@127.0.0.1:5432/$DB" \
  "psql -h 127.0.0.1 -U postgres -d $DB -tAF ' ' -c 'SELECT created_at, id FROM users ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $N / 2'"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB"
fi
