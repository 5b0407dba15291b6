#!/usr/bin/env bash
# Installs what is missing, builds a release, and runs Steward on the embedded
# SQLite default (data/steward.db). On first run it prints a one-time
# /setup?token=… URL: open it to create the first admin.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# --precompress writes Brotli and gzip copies of the JS, WASM and CSS, which
# the server sends to browsers that accept them.
cargo leptos build --release --split --precompress
# The binary reads its site options (target/site, pkg) from Leptos.toml.
exec "$CARGO_TARGET_DIR/release/steward" serve "$@"
