#!/usr/bin/env bash
# The whole test suite: formatting (rustfmt, leptosfmt), lints (server and browser builds), unit and
# integration tests on SQLite and PostgreSQL, Schemathesis against the OpenAPI
# document, and Playwright end-to-end tests in Chromium (desktop with and
# without JavaScript, and a 375 px phone).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --with-browser
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "rustfmt and leptosfmt (view! blocks)"
cargo fmt --check
leptosfmt --check --quiet src

step "clippy (server)"
cargo clippy --features ssr --all-targets -- -D warnings
step "clippy (browser)"
cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "build the site (cargo-leptos)"
cargo leptos build --split

step "unit and integration tests (SQLite and PostgreSQL at 127.0.0.1:5432)"
# Same cfg as cargo-leptos' debug build, so dependencies compile once.
# LEPTOS_OUTPUT_NAME is read at compile time (it names the .wasm file): set it
# as cargo-leptos does, or this step would rebuild the binary e2e runs.
LEPTOS_OUTPUT_NAME=steward RUSTFLAGS="--cfg erase_components" cargo nextest run --features ssr --no-fail-fast

step "API fuzzing against the OpenAPI document (Schemathesis)"
./scripts/schemathesis.sh

step "end-to-end tests (Playwright, Debian Chromium)"
export STEWARD_BIN="$CARGO_TARGET_DIR/debug/steward"
# cargo-leptos writes the site under the project, whatever CARGO_TARGET_DIR is.
export STEWARD_SITE_ROOT="$PWD/target/site"
npx playwright test -c end2end/playwright.config.ts
