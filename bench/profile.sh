#!/usr/bin/env bash
# Where a page's time goes: drives one URL with wrk while `perf` samples the
# release server, then prints the hottest functions (self time) and, when
# inferno is installed (`cargo install inferno`), writes a flame graph SVG.
# The database must exist already (bench/users.sh or bench/reports.sh leave
# theirs in bench/out; KEEP=1 keeps PostgreSQL's).
# Usage: bench/profile.sh DATABASE_URL PATH [seconds] [API token instead of a session]
#   bench/profile.sh sqlite://$PWD/bench/out/bench.db /users 15
set -euo pipefail
cd "$(dirname "$0")/.."
URL="$1"
TARGET="$2"
SECS="${3:-15}"
TOKEN="${4:-}"
. bench/lib.sh
build_release
command -v perf >/dev/null || { echo "perf is required (apt-get install linux-perf)"; exit 1; }
OUT="$PWD/bench/out"; mkdir -p "$OUT"
PORT=3979
BASE="http://127.0.0.1:$PORT"
PASSWORD="benchmark password 1"
server_cleanup_on_exit

echo "$PASSWORD" | RUST_LOG=warn "$BIN" create-admin --nickname profadmin --email prof@example.org \
  --password-stdin --database-url "$URL" >/dev/null 2>&1 || true # already there from an earlier run
RUST_LOG=warn DATABASE_URL="$URL" "$BIN" serve --addr "127.0.0.1:$PORT" >"$OUT/server-profile.log" 2>&1 &
PID=$!
wait_ready
if [ -n "$TOKEN" ]; then
  AUTH=(-H "Authorization: Bearer $TOKEN")
else
  jar="$OUT/cookies-profile"
  curl -s -c "$jar" -o /dev/null -H "Origin: $BASE" --data-urlencode nickname=profadmin \
    --data-urlencode "password=$PASSWORD" "$BASE/login"
  AUTH=(-H "Cookie: steward_session=$(awk '$6 == "steward_session" {print $7}' "$jar")")
fi
printf '%-48s %10s %9s %9s\n' "URL" "req/s" "p50" "p99"
bench_one "$TARGET" "${AUTH[@]}" # warm-up and a figure without the profiler
SECS_SAVED="$SECS"
perf record -F 1999 -g -p "$PID" -o "$OUT/perf.data" -- sleep "$SECS" 2>/dev/null &
PERF=$!
SECS="$SECS_SAVED" bench_one "$TARGET" "${AUTH[@]}"
wait "$PERF" || true
echo
echo "## hottest functions (self time, % of the server's samples)"
perf report -i "$OUT/perf.data" --no-children --sort symbol --percent-limit 0.7 --stdio 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | grep '%' | head -40
if command -v inferno-collapse-perf >/dev/null; then
  svg="$OUT/flame-$(tr -c 'a-zA-Z0-9' '_' <<<"$TARGET" | cut -c1-40).svg"
  perf script -i "$OUT/perf.data" 2>/dev/null | inferno-collapse-perf | inferno-flamegraph >"$svg"
  echo "flame graph: $svg"
fi
