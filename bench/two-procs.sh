#!/usr/bin/env bash
# One Steward process, then two sharing one address (--reuse-port), on one
# PostgreSQL database under the mixed read/write load of bench/mixed.sh (the
# same Lua scripts: 80 % of the connections read, 20 % write), at 8 and 64
# connections. Prints req/s, p50, p99 and 5xx for reads and writes, and where
# the CPU went during each run: seconds used by each steward process, by all
# postgres processes together, by the two wrk processes, and by the whole
# machine, out of (cores x seconds) available. On a machine with few cores
# the second process can only add what the first left idle.
# Usage: [USERS=100000 STATUSES=20000 REPORTS=5000 LEVELS="8 64"] bench/two-procs.sh [secs per run]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-20}"
USERS="${USERS:-100000}"
STATUSES="${STATUSES:-20000}"
REPORTS="${REPORTS:-5000}"
LEVELS="${LEVELS:-8 64}"
. bench/lib.sh
build_release
OUT="$PWD/bench/out"; mkdir -p "$OUT"
PORT=3981
BASE="http://127.0.0.1:$PORT"
PASSWORD="benchmark password 1"
TICK=$(getconf CLK_TCK)
CORES=$(nproc)
server_cleanup_on_exit
PIDS=()
stop_servers() {
  local p; for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_servers; server_cleanup' EXIT

# $1 processes on PORT, all with --reuse-port; sets PIDS. Waits for each to
# log that it listens (/readyz could be answered by the one before).
start_servers() { # $1 = count, $2 = DATABASE_URL, $3 = log prefix
  local i log
  for i in $(seq "$1"); do
    log="$3-$i.log"
    RUST_LOG=info DATABASE_URL="$2" "$BIN" serve --reuse-port --addr "127.0.0.1:$PORT" >"$log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do grep -q 'steward listening' "$log" && break; sleep 0.1; done
    grep -q 'steward listening' "$log" || { echo "steward $i did not start:"; cat "$log"; exit 1; }
  done
}

# CPU ticks (user + system) so far of each pid given, as "pid:ticks" words.
ticks_of() { local p; for p in "$@"; do [ -r "/proc/$p/stat" ] && echo "$p:$(awk '{print $14 + $15}' "/proc/$p/stat")"; done; }
# Seconds between two ticks_of snapshots, summed over their pids; a pid born
# in between counts from zero (PostgreSQL starts a backend per connection).
cpu_secs() { # $1 = before, $2 = after
  awk -v tick="$TICK" 'NR == FNR { split($0, a, ":"); before[a[1]] = a[2]; next }
    { split($0, a, ":"); t += a[2] - before[a[1]] } END { printf "%.1f", t / tick }' \
    <(tr ' ' '\n' <<<"$1") <(tr ' ' '\n' <<<"$2")
}
# Busy ticks of the whole machine (all but idle and iowait).
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

row() { # $1 = label, $2 = RESULT line
  printf '%-28s %8s %9s %9s %6s  %s\n' "$1" "$(res rps "$2")" "$(res p50_ms "$2")" "$(res p99_ms "$2")" \
    "$(count_status '5..' "$2")" "$(res statuses "$2")"
}

run() { # $1 = processes, $2 = DATABASE_URL, $3 = token, $4 = connections in all
  local procs="$1" url="$2" token="$3" conns="$4"
  local writers=$(((conns + 2) / 5)) readers
  readers=$((conns - writers))
  local log="$OUT/server-two-procs-$procs-$conns"
  start_servers "$procs" "$url" "$log"
  echo "### $procs process(es), $conns connections ($readers reading, $writers writing), ${SECS} s, load $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-28s %8s %9s %9s %6s  %s\n' "load" "req/s" "p50 ms" "p99 ms" "5xx" "statuses"
  local pg_before steward_before busy_before
  pg_before=$(ticks_of $(pgrep -x postgres) | xargs)
  steward_before=$(ticks_of "${PIDS[@]}" | xargs)
  busy_before=$(machine_busy)
  # wrk's own CPU comes from /usr/bin/time: it is gone by the time we could read /proc.
  /usr/bin/time -f '%U %S' -o "$OUT/time-writes.txt" wrk -t1 -c"$writers" -d"${SECS}s" --timeout 10s \
    -s bench/lua/writes.lua -H "Authorization: Bearer $token" "$BASE" -- "$NICKS" "$REPORT_IDS" \
    >"$OUT/wrk-two-procs-writes.txt" 2>&1 &
  local writes=$!
  /usr/bin/time -f '%U %S' -o "$OUT/time-reads.txt" wrk -t1 -c"$readers" -d"${SECS}s" --timeout 10s \
    -s bench/lua/reads.lua -H "Authorization: Bearer $token" "$BASE" -- "$NICKS" "$REPORT_IDS" \
    >"$OUT/wrk-two-procs-reads.txt" 2>&1 || true
  wait "$writes" || true
  local busy_after steward_after pg_after
  busy_after=$(machine_busy)
  steward_after=$(ticks_of "${PIDS[@]}" | xargs)
  pg_after=$(ticks_of $(pgrep -x postgres) | xargs)
  local reads wres
  reads=$(grep '^RESULT' "$OUT/wrk-two-procs-reads.txt") || { cat "$OUT/wrk-two-procs-reads.txt"; exit 1; }
  wres=$(grep '^RESULT' "$OUT/wrk-two-procs-writes.txt") || { cat "$OUT/wrk-two-procs-writes.txt"; exit 1; }
  row "reads, $readers conns" "$reads"
  row "writes, $writers conns" "$wres"
  local total; total=$(awk -v r="$(res rps "$reads")" -v w="$(res rps "$wres")" 'BEGIN { printf "%.0f", r + w }')
  local p split=""
  for p in "${PIDS[@]}"; do
    split+="steward $(cpu_secs "$(tr ' ' '\n' <<<"$steward_before" | grep "^$p:")" "$(ticks_of "$p")") s, "
  done
  local wrk_cpu; wrk_cpu=$(cat "$OUT/time-reads.txt" "$OUT/time-writes.txt" | awk '{ t += $1 + $2 } END { printf "%.1f", t }')
  echo "all: $total req/s; socket errors: reads $(res socket_errors "$reads"), writes $(res socket_errors "$wres")"
  echo "CPU seconds: ${split}postgres $(cpu_secs "$pg_before" "$pg_after") s, wrk $wrk_cpu s;" \
    "machine $(awk -v b="$((busy_after - busy_before))" -v t="$TICK" 'BEGIN { printf "%.1f", b / t }') s" \
    "of $((CORES * SECS)) ($CORES cores x $SECS s)"
  stop_servers
  local problems; problems=$(cat "$log"-*.log | log_plain /dev/stdin | grep -E ' (ERROR|WARN) ' | grep -cv 'hash-files is on' || true)
  echo "server logs: $problems ERROR/WARN lines"
  echo
}

PGDB=steward_bench_two_procs
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PGDB" -c "CREATE DATABASE $PGDB"
URL="postgres://postgres@127.0.0.1:5432/$PGDB"
SQL="psql -q -h 127.0.0.1 -U postgres -d $PGDB -tA"
echo "## postgres: $USERS users, $STATUSES statuses, $REPORTS reports; $CORES cores"
RUST_LOG=warn,sqlx=error "$BIN" seed --users "$USERS" --statuses "$STATUSES" --reports "$REPORTS" --database-url "$URL" >/dev/null
echo "$PASSWORD" | RUST_LOG=warn "$BIN" create-admin --nickname benchadmin --email bench@example.org --password-stdin --database-url "$URL" >/dev/null
TOKEN=$(RUST_LOG=warn "$BIN" create-token --nickname benchadmin --name bench --database-url "$URL")
NICKS="$OUT/two-procs-nicknames.txt"
REPORT_IDS="$OUT/two-procs-reports.txt"
echo "SELECT nickname FROM users WHERE NOT is_admin AND NOT is_moderator ORDER BY random() LIMIT 10000" | $SQL >"$NICKS"
echo "SELECT id FROM reports" | $SQL >"$REPORT_IDS"
for conns in $LEVELS; do
  for procs in 1 2; do run "$procs" "$URL" "$TOKEN" "$conns"; done
done
