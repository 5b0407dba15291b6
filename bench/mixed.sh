#!/usr/bin/env bash
# Mixed read/write load on the admin API at 8 and at 64 connections: one wrk
# reads (users list pages, a user, the open reports list, a report) while a
# second wrk, in parallel, writes (deactivate / activate / tag 1-3 random users,
# change the state of 1-3 random reports), with 80 % of the connections reading
# and 20 % writing. Targets are random among the seeded users and reports.
# Prints req/s, p50, p99 and the 5xx count for reads and writes separately
# (and for the writers alone beforehand, for scale), and the server's peak RSS
# during the mixed run. Budget: zero 5xx; write p99 <= 100 ms at 64
# connections on SQLite.
# Usage: [USERS=100000 STATUSES=20000 REPORTS=5000] bench/mixed.sh [sqlite|postgres] [secs per level]
set -euo pipefail
cd "$(dirname "$0")/.."
BACKENDS="${1:-sqlite postgres}"
SECS="${2:-20}"
USERS="${USERS:-100000}"
STATUSES="${STATUSES:-20000}"
REPORTS="${REPORTS:-5000}"
LEVELS="${LEVELS:-8 64}"
. bench/lib.sh
build_release
OUT="$PWD/bench/out"; mkdir -p "$OUT"
PORT=3980
BASE="http://127.0.0.1:$PORT"
PASSWORD="benchmark password 1"
server_cleanup_on_exit

row() { # $1 = label, $2 = RESULT line
  printf '%-32s %8s %9s %9s %6s  %s\n' "$1" "$(res rps "$2")" "$(res p50_ms "$2")" "$(res p99_ms "$2")" \
    "$(count_status '5..' "$2")" "$(res statuses "$2")"
}

# wrk drops its connections with requests still in flight when its time is up.
# One write afterwards shows whether the server still takes writes (a write
# cancelled at the wrong moment has left SQLite's write lock held; README).
probe_write() { # $1 = token; prints "status in seconds"
  curl -s -m 30 -o /dev/null -w '%{http_code} in %{time_total} s' -X PATCH -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' -d "{\"reports\":[{\"id\":\"$(head -1 "$REPORT_IDS")\",\"state\":\"open\"}]}" \
    "$BASE/api/v1/admin/reports" || echo "no answer in 30 s"
}

# Why any request failed, in the server's words: ERROR and WARN lines, grouped.
log_problems() { # $1 = log file
  local problems; problems=$(log_plain "$1" | grep -E ' (ERROR|WARN) ' | grep -v 'hash-files is on' || true)
  echo "log: $(grep -c ' ERROR ' <<<"$problems" || true) ERROR and $(grep -c ' WARN ' <<<"$problems" || true) WARN lines"
  [ -z "$problems" ] || sed -E 's/^[^ ]+ +//; s/request\{[^}]*\}:? ?//g; s/latency=[0-9]+ ms/latency=N ms/' <<<"$problems" \
    | sort | uniq -c | sort -rn | head -5
}

run_level() { # $1 = name, $2 = DATABASE_URL, $3 = token, $4 = connections in all
  local name="$1" url="$2" token="$3" conns="$4"
  local writers=$(((conns + 2) / 5)) # 20 %, rounded: 2 of 8, 13 of 64
  local readers=$((conns - writers))
  local log="$OUT/server-mixed-$name-$conns"
  echo "### $name, $conns connections ($readers reading, $writers writing), ${SECS} s, load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-32s %8s %9s %9s %6s  %s\n' "load" "req/s" "p50 ms" "p99 ms" "5xx" "statuses"
  # --timeout 10s everywhere: wrk's default 2 s would turn a slow tail into
  # socket errors instead of latency.

  # The writers on their own first, for scale: what the readers cost them.
  # Its own server, so whatever its end leaves behind cannot touch the mixed run.
  start_server "$url" "$log-alone.log"
  row "writes alone, $writers conns" "$(wrk_lua "$OUT/wrk-mixed-writes.txt" -t1 -c"$writers" -d"$((SECS / 2))s" \
    --timeout 10s -s bench/lua/writes.lua -H "Authorization: Bearer $token" "$BASE" -- "$NICKS" "$REPORT_IDS")"
  local alone_probe; alone_probe=$(probe_write "$token")
  kill -TERM "$PID"; wait "$PID" || true; PID=""

  # A fresh server for the mixed run, so VmHWM is this run's peak.
  start_server "$url" "$log.log"
  rss_watch_start "$PID"
  wrk_lua "$OUT/wrk-mixed-writes.txt" -t1 -c"$writers" -d"${SECS}s" --timeout 10s -s bench/lua/writes.lua \
    -H "Authorization: Bearer $token" "$BASE" -- "$NICKS" "$REPORT_IDS" >"$OUT/mixed-writes-result.txt" &
  local writes=$!
  local reads; reads=$(wrk_lua "$OUT/wrk-mixed-reads.txt" -t1 -c"$readers" -d"${SECS}s" --timeout 10s \
    -s bench/lua/reads.lua -H "Authorization: Bearer $token" "$BASE" -- "$NICKS" "$REPORT_IDS")
  wait "$writes"
  local wres; wres=$(cat "$OUT/mixed-writes-result.txt")
  row "mixed: reads, $readers conns" "$reads"
  row "mixed: writes, $writers conns" "$wres"
  local r w; r=$(res requests "$reads"); w=$(res requests "$wres")
  echo "writes were $((100 * w / (r + w))) % of $((r + w)) requests; socket errors: reads $(res socket_errors "$reads"), writes $(res socket_errors "$wres")"
  echo "server: $(rss_watch_stop)"
  echo "one write after wrk left: $alone_probe (writes alone), $(probe_write "$token") (mixed)"
  kill -TERM "$PID"; wait "$PID" || true; PID=""
  echo "writes alone $(log_problems "$log-alone.log")"
  echo "mixed $(log_problems "$log.log")"
  echo
}

run_backend() { # $1 = name, $2 = DATABASE_URL, $3 = SQL runner reading a query on stdin
  local name="$1" url="$2" sql="$3"
  echo "## $name: $USERS users, $STATUSES statuses, $REPORTS reports"
  RUST_LOG=warn,sqlx=error "$BIN" seed --users "$USERS" --statuses "$STATUSES" --reports "$REPORTS" --database-url "$url" >/dev/null
  echo "$PASSWORD" | RUST_LOG=warn "$BIN" create-admin --nickname benchadmin --email bench@example.org --password-stdin --database-url "$url" >/dev/null
  local token; token=$(RUST_LOG=warn "$BIN" create-token --nickname benchadmin --name bench --database-url "$url")
  # Ordinary accounts only: the admin's own account must stay active for its token.
  NICKS="$OUT/mixed-nicknames-$name.txt"
  REPORT_IDS="$OUT/mixed-reports-$name.txt"
  echo "SELECT nickname FROM users WHERE NOT is_admin AND NOT is_moderator ORDER BY random() LIMIT 10000" | eval "$sql" >"$NICKS"
  echo "SELECT id FROM reports" | eval "$sql" >"$REPORT_IDS"
  for conns in $LEVELS; do run_level "$name" "$url" "$token" "$conns"; done
}

if [[ " $BACKENDS " == *" sqlite "* ]]; then
  SQLITE_DB="$OUT/mixed.db"
  rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
  run_backend sqlite "sqlite://$OUT/mixed.db" "sqlite3 '$OUT/mixed.db'"
fi

if [[ " $BACKENDS " == *" postgres "* ]]; then
  PGDB=steward_bench_mixed
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PGDB" -c "CREATE DATABASE $PGDB"
  run_backend postgres "postgres://postgres@127.0.0.1:5432/$PGDB" "psql -q -h 127.0.0.1 -U postgres -d $PGDB -tA"
fi
