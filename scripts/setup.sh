#!/usr/bin/env bash
# Installs what building and testing Steward needs, idempotently: each tool is
# checked first and installed only if missing or at the wrong version. Nothing
# is downloaded from outside crates.io, npm, PyPI (aiosmtpd here; Schemathesis, installed by
# scripts/schemathesis.sh) and Debian's archive.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
LEPTOSFMT_VERSION=0.1.33

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes on 2 cores, once)"
  cargo install cargo-leptos@"$CARGO_LEPTOS_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must match the crate's pin)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! leptosfmt --version 2>/dev/null | grep -q "$LEPTOSFMT_VERSION"; then
  say "installing leptosfmt $LEPTOSFMT_VERSION (formats view! blocks)"
  cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
fi

if ! command -v cargo-nextest >/dev/null 2>&1; then
  say "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi

# Tailwind, wasm-opt (binaryen) and Playwright from npm; `npm install`, not
# `npm ci` (the lockfile's platform-specific optional packages break ci here).
if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/playwright ] || [ ! -d node_modules/csv-parse ] || [ ! -d node_modules/@axe-core/playwright ] || [ ! -d node_modules/oidc-provider ]; then
  say "installing npm tools (tailwindcss, binaryen, playwright, csv-parse, axe-core, oidc-provider)"
  npm install --no-audit --no-fund
fi

# aiosmtpd: the SMTP server tests/mail.rs starts to receive Steward's mail.
AIOSMTPD_VERSION=1.4.6
if ! python3 -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  say "installing aiosmtpd $AIOSMTPD_VERSION (the test SMTP server)"
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi

if [ "${1:-}" = "--with-browser" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Chromium from Debian"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium
fi
