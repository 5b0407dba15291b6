#!/usr/bin/env bash
# Sign-in flood: CONNS (default 1,000) connections POST wrong passwords to
# /login for SECS seconds (default 20) while 8 more connections read
# `GET /api/v1/admin/users?page_size=50` with a bearer token, to show the server
# keeps serving. Runs twice per backend: with the sign-in throttle set out of
# reach, so every attempt really reaches Argon2 (bounded to one hash per core,
# 503 + Retry-After after 2 s without a slot), and with the default throttle.
# Prints req/s, p50, p99, the 5xx / 503 / 429 counts and the server's peak RSS
# (budget: under 150 MB, zero 500s). The form answers a throttled attempt with
# a 303 back to /login, not a 429, so the server log's counts are printed too.
# Afterwards the admin signs in once: can the server still take writes?
# Usage: [USERS=100000] [CONNS=1000] [SERVER_ENV="VAR=value ..."] bench/flood.sh [sqlite|postgres] [secs]
# SERVER_ENV is set for the server process only (e.g. a malloc tunable).
set -euo pipefail
cd "$(dirname "$0")/.."
BACKENDS="${1:-sqlite postgres}"
SECS="${2:-20}"
USERS="${USERS:-100000}"
CONNS="${CONNS:-1000}"
. bench/lib.sh
build_release
# wrk holds CONNS sockets and the server as many again: raise the open-file
# limit as far as this shell may (65536, or the hard limit where that is lower).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -gt $((CONNS + 200)) ] || { echo "open-file limit $(ulimit -n) is too low for $CONNS connections"; exit 1; }
OUT="$PWD/bench/out"; mkdir -p "$OUT"
PORT=3979
BASE="http://127.0.0.1:$PORT"
PASSWORD="benchmark password 1"
READ_PATH="/api/v1/admin/users?page_size=50"
server_cleanup_on_exit

stop_server() {
  kill -TERM "$PID"; wait "$PID" || true; PID=""
}

row() { # $1 = label, $2 = RESULT line
  printf '%-34s %8s %9s %9s %6s %6s %6s  %s\n' "$1" "$(res rps "$2")" "$(res p50_ms "$2")" "$(res p99_ms "$2")" \
    "$(count_status '5..' "$2")" "$(count_status 503 "$2")" "$(count_status 429 "$2")" "$(res statuses "$2")"
}

# One flood against a fresh server: $1 = label, $2 = DATABASE_URL, $3 = SQL runner, $4 = token, rest = serve flags.
flood_once() {
  local label="$1" url="$2" sql="$3" token="$4"; shift 4
  local tag; tag="$(tr ' ' '-' <<<"$label")"
  local log="$OUT/server-flood-$tag.log"
  # Each run starts from an empty throttle, as after a quiet quarter hour.
  echo "DELETE FROM login_failures" | eval "$sql" >/dev/null
  local sessions_before; sessions_before=$(echo "$SESSIONS_SQL" | eval "$sql" 2>/dev/null || echo 0) # the table appears at first start
  start_server "$url" "$log" "$@"
  echo "### $label"
  printf '%-34s %8s %9s %9s %6s %6s %6s  %s\n' "load" "req/s" "p50 ms" "p99 ms" "5xx" "503" "429" "statuses"
  local alone; alone=$(wrk_lua "$OUT/wrk-read-alone.txt" -t1 -c8 -d10s -s bench/lua/common.lua \
    -H "Authorization: Bearer $token" "$BASE$READ_PATH")
  row "API read alone, 8 conns" "$alone"

  rss_watch_start "$PID"
  # wrk's default 2 s timeout would count every 503 (sent after 2 s) as a socket timeout.
  wrk_lua "$OUT/wrk-flood.txt" -t1 -c"$CONNS" -d"${SECS}s" --timeout 30s -s bench/lua/flood.lua \
    "$BASE/login" -- "$NICKS" "$BASE" >"$OUT/flood-result.txt" &
  local flood=$!
  sleep 2 # let the flood's connections open before measuring the reader
  local during; during=$(wrk_lua "$OUT/wrk-read-during.txt" -t1 -c8 -d"$((SECS - 4))s" --timeout 30s \
    -s bench/lua/common.lua -H "Authorization: Bearer $token" "$BASE$READ_PATH")
  wait "$flood"
  local flood_res; flood_res=$(cat "$OUT/flood-result.txt")
  row "POST /login flood, $CONNS conns" "$flood_res"
  row "API read during flood, 8 conns" "$during"
  echo "flood socket errors: $(res socket_errors "$flood_res"); reader: $(res socket_errors "$during")"
  echo "server: $(rss_watch_stop)"
  # wrk left with ~CONNS sign-ins in flight. Can the admin still sign in? (Under
  # the default throttle this IP is locked out for the window, by design.)
  echo "admin sign-in after the flood: $(curl -s -m 30 -o /dev/null -w '%{http_code} to %{redirect_url} in %{time_total} s' \
    -H "Origin: $BASE" --data-urlencode nickname=benchadmin --data-urlencode "password=$PASSWORD" "$BASE/login" \
    || echo "no answer in 30 s")"
  # The server's own counts: failures that reached Argon2, throttled attempts, and any 500.
  local plain; plain=$(log_plain "$log")
  # tower-http logs every 5xx it sends, the expected 503s included, at ERROR.
  printf 'log: %s "sign-in failed", %s "sign-in throttled", %s pool timeouts, %s ERROR lines (%s of them not a 503)\n' \
    "$(grep -c 'sign-in failed' <<<"$plain" || true)" "$(grep -c 'sign-in throttled' <<<"$plain" || true)" \
    "$(grep -c 'no database connection came free' <<<"$plain" || true)" "$(grep -c ' ERROR ' <<<"$plain" || true)" \
    "$(grep ' ERROR ' <<<"$plain" | grep -vc '503 Service Unavailable' || true)"
  echo "server counts for POST /login: $(curl -s "$BASE/metrics" | awk -F'[{}]' '/^http_requests_total/ && /route="\/login"/ && /POST/ {split($2, l, "status=\""); s = substr(l[2], 1, 3); printf "%s:%s ", s, $3}')"
  stop_server
  echo "session rows written by the flood: $(( $(echo "$SESSIONS_SQL" | eval "$sql") - sessions_before ))"
  # Why any request failed, in the server's words.
  log_plain "$log" | grep ' ERROR ' | sed -E 's/^[^ ]+ +//; s/request\{[^}]*\}:? ?//g; s/latency=[0-9]+ ms/latency=N ms/' | sort | uniq -c | sort -rn | head -5 || true
  echo
}

run_backend() { # $1 = name, $2 = DATABASE_URL, $3 = SQL runner reading a query on stdin
  local name="$1" url="$2" sql="$3"
  echo "## $name: $USERS users, $CONNS flood connections, ${SECS} s, load $(cut -d" " -f1-3 /proc/loadavg)"
  RUST_LOG=warn,sqlx=error "$BIN" seed --users "$USERS" --database-url "$url" >/dev/null
  echo "$PASSWORD" | RUST_LOG=warn "$BIN" create-admin --nickname benchadmin --email bench@example.org --password-stdin --database-url "$url" >/dev/null
  local token; token=$(RUST_LOG=warn "$BIN" create-token --nickname benchadmin --name bench --database-url "$url")
  # Real local accounts with a stored hash, so most attempts verify a real one.
  NICKS="$OUT/flood-nicknames-$name.txt"
  echo "SELECT nickname FROM users WHERE local AND password_hash IS NOT NULL AND NOT is_admin AND NOT is_moderator ORDER BY random() LIMIT 20000" \
    | eval "$sql" >"$NICKS"
  flood_once "$name, throttle out of reach" "$url" "$sql" "$token" \
    --login-failures-per-ip 1000000000 --login-failures-per-account 1000000000
  flood_once "$name, default throttle" "$url" "$sql" "$token"
}

if [[ " $BACKENDS " == *" sqlite "* ]]; then
  SQLITE_DB="$OUT/flood.db"
  rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
  SESSIONS_SQL="SELECT count(*) FROM tower_sessions"
  run_backend sqlite "sqlite://$OUT/flood.db" "sqlite3 '$OUT/flood.db'"
fi

if [[ " $BACKENDS " == *" postgres "* ]]; then
  PGDB=steward_bench_flood
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PGDB" -c "CREATE DATABASE $PGDB"
  SESSIONS_SQL="SELECT count(*) FROM tower_sessions.session"
  run_backend postgres "postgres://postgres@127.0.0.1:5432/$PGDB" "psql -q -h 127.0.0.1 -U postgres -d $PGDB -tA"
fi
