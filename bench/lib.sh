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
  local out; out=$(wrk -t2 -c8 -d"${SECS}s" --latency "$@" "${BASE}${path}")
  local rps p50 p99 label="${path:0:48}"
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-48s %10s %9s %9s\n' "$label" "$rps" "$p50" "$p99"
}
