# Shared by the load benchmarks: the release build they drive, and one wrk run.
# Expects BASE and SECS to be set by the caller.

# Builds the release server with the compile-time env of `cargo leptos build
# --release` (always-erase-components), so both share artifacts; sets BIN.
build_release() {
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
  LEPTOS_OUTPUT_NAME=steward RUSTFLAGS="--cfg erase_components" cargo build --release --features ssr --bin steward >&2
  BIN="$CARGO_TARGET_DIR/release/steward"
  command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)"; exit 1; }
}

bench_one() { # $1 = path, rest = wrk header args
  local path="$1"; shift
  # curl takes -H like wrk; a page that is not 200 would make the figures meaningless.
  local status; status=$(curl -s -o /dev/null -w '%{http_code}' "$@" "${BASE}${path}")
  if [ "$status" != 200 ]; then echo "$path answered $status"; return 1; fi
  # A warm-up run first (WARMUP seconds, default 2): the figures are of a
  # server whose caches and the database's hot pages are warm, as on a live
  # instance, not of the first reads after seeding.
  if [ "${WARMUP:-2}" != 0 ]; then wrk -t2 -c8 -d"${WARMUP:-2}s" "$@" "${BASE}${path}" >/dev/null; fi
  local out; out=$(wrk -t2 -c8 -d"${SECS}s" --latency "$@" "${BASE}${path}")
  local rps p50 p99 label="${path:0:48}"
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-48s %10s %9s %9s\n' "$label" "$rps" "$p50" "$p99"
}

# Waits up to 10 s for the server at BASE to answer /readyz.
wait_ready() {
  for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "server at $BASE did not become ready"; return 1
}

# Samples a process's memory every 100 ms in the background while a load runs:
# the peak of VmRSS (all resident pages, including SQLite's mmap'd file) and
# of RssAnon (heap and stacks only). rss_watch_stop prints them with VmHWM,
# the kernel's own high-water mark over the process's whole life.
rss_watch_start() { # $1 = pid; sets RSS_WATCH
  local pid="$1" file; file=$(mktemp)
  (
    peak_rss=0 peak_anon=0
    while [ -r "/proc/$pid/status" ]; do
      read -r rss anon < <(awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r+0, a+0}' "/proc/$pid/status" 2>/dev/null || echo "0 0")
      [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
      [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
      echo "$peak_rss $peak_anon" >"$file"
      sleep 0.1
    done
  ) &
  RSS_WATCH="$! $file $pid"
}

rss_watch_stop() { # prints "peak RSS X MB (heap Y MB), VmHWM Z MB"
  local watcher file pid; read -r watcher file pid <<<"$RSS_WATCH"
  kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null || true
  local rss anon hwm; read -r rss anon <"$file"; rm -f "$file"
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  printf 'peak RSS %d MB (heap %d MB), VmHWM %d MB' $((rss / 1024)) $((anon / 1024)) $((hwm / 1024))
}

# Runs wrk with a bench/lua script and prints the script's RESULT line (see
# bench/lua/common.lua); wrk's full output goes to $1.
wrk_lua() { # $1 = output file, rest = wrk args
  local out="$1"; shift
  wrk "$@" >"$out" 2>&1 || true
  grep '^RESULT' "$out" || { echo "wrk printed no RESULT line:" >&2; cat "$out" >&2; return 1; }
}

# One field of a RESULT line: res NAME "$line".
res() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# How many responses had a status matching a regex, from a RESULT line's
# statuses field ("200:812,503:40"): count_status '5..' "$line".
count_status() {
  res statuses "$2" | tr ',' '\n' | awk -F: -v re="^($1)\$" '$1 ~ re {n += $2} END {print n + 0}'
}

# A server log without the colour codes tracing writes even to files.
log_plain() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }

# The server and database a script starts, stopped and dropped on exit.
# Scripts set PID, PGDB or SQLITE_DB as they create them.
server_cleanup_on_exit() {
  PID="" PGDB="" SQLITE_DB=""
  trap server_cleanup EXIT
}
server_cleanup() {
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$PGDB" ]; then psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PGDB" || true; fi
  if [ -n "$SQLITE_DB" ]; then rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"; fi
}

# Starts the release server on PORT with a fresh log; sets PID. SERVER_ENV
# (VAR=value words) is set for the server only, e.g. a malloc tunable.
start_server() { # $1 = DATABASE_URL, $2 = log file, rest = serve flags
  local url="$1" log="$2"; shift 2
  # shellcheck disable=SC2086 # SERVER_ENV is a list of VAR=value words
  env ${SERVER_ENV:-} RUST_LOG=info DATABASE_URL="$url" "$BIN" serve --addr "127.0.0.1:$PORT" "$@" >"$log" 2>&1 &
  PID=$!
  wait_ready
}
