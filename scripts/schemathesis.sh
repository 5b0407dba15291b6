#!/usr/bin/env bash
# Property-based API tests: Schemathesis generates requests from
# /api/v1/openapi.json and checks every answer against the document (no 5xx,
# documented status, content type and body schema). Runs the debug binary on a
# fresh SQLite database with seed data; exits non-zero on any finding.
# Usage: scripts/schemathesis.sh [extra `schemathesis run` options]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

VERSION=4.32.5
SEED="${SCHEMATHESIS_SEED:-20240601}"
# Test cases per operation and phase: about 30 s in all on 2 cores.
EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-50}"

# Installed once per machine (pip --user), reinstalled if the pin changes.
export PATH="$(python3 -m site --user-base)/bin:$PATH"
if [[ "$(schemathesis --version 2>/dev/null)" != *" $VERSION" ]]; then
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

# Same env as scripts/test.sh, so this reuses the binary its tests built.
LEPTOS_OUTPUT_NAME=steward RUSTFLAGS="--cfg erase_components" cargo build --quiet --features ssr --bin steward
BIN="$CARGO_TARGET_DIR/debug/steward"

TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [[ -n "${SCHEMATHESIS_KEEP:-}" ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite://$TMP/steward.db" STEWARD_ADDR="127.0.0.1:$PORT" RUST_LOG="${RUST_LOG:-warn}"
BASE="http://127.0.0.1:$PORT"

# Seed first, so the admin's id (201) is not one a fuzzer guesses: a password
# change or forced reset of the admin would revoke the token under test.
"$BIN" seed --users 200 --statuses 200 --reports 50 >/dev/null
echo 'schemathesis-password-1' | "$BIN" create-admin --nickname admin --email a@example.org --password-stdin >/dev/null
INTAKE="$("$BIN" create-token --nickname admin --name schemathesis-intake --scope intake | tail -n1)"
ADMIN="$("$BIN" create-token --nickname admin --name schemathesis | tail -n1)"
"$BIN" create-token --nickname admin --name spare >/dev/null

"$BIN" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 150); do
  curl -fsS -o /dev/null "$BASE/api/v1/openapi.json" 2>/dev/null && break
  if [[ $i == 150 ]] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "schemathesis: steward did not start" >&2; cat "$TMP/server.log" >&2; exit 1
  fi
  sleep 0.2
done

api() { curl -fsS -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/admin/$1"; }
# Seeded nicknames (never the admin's), so requests reach past the lookup.
NICKNAMES="$(api 'users?page_size=60' |
  python3 -c 'import json, sys; print(json.dumps([u["nickname"] for u in json.load(sys.stdin)["users"] if u["nickname"] != "admin"]))')"
SPARE_ID="$(api tokens | python3 -c 'import json, sys; print([t["id"] for t in json.load(sys.stdin) if t["label"] == "spare"][0])')"

# Each prefix gets its own token. DELETE /tokens/{id} would revoke the token
# under test (GET /tokens hands its id to the fuzzer), so it aims at a spare.
cat >"$TMP/schemathesis.toml" <<EOF
headers = { Authorization = "Bearer $ADMIN" }
[dictionaries.nicknames]
values = $NICKNAMES
[parameters]
"path.nickname" = { dictionary = "nicknames", probability = 0.5 }
"path.nickname_or_id" = { dictionary = "nicknames", probability = 0.5 }
"body.nicknames[*]" = { dictionary = "nicknames", probability = 0.5 }
"body.account" = { dictionary = "nicknames", probability = 0.5 }
"body.reporter" = { dictionary = "nicknames", probability = 0.5 }
[[operations]]
include-path-regex = "^/api/v1/intake/"
headers = { Authorization = "Bearer $INTAKE" }
[[operations]]
include-name = "DELETE /api/v1/admin/tokens/{id}"
parameters = { "path.id" = "$SPARE_ID" }
EOF

# Deterministic (fixed seed, no example database) and bounded. Stateful
# testing is left out: it feeds the admin's own nickname back into credential
# changes that end its sessions and tokens.
status=0
timeout 600 schemathesis --config-file "$TMP/schemathesis.toml" run "$BASE/api/v1/openapi.json" --url "$BASE" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --seed "$SEED" \
  --generation-database none --workers 1 --request-timeout 10 --no-color "$@" || status=$?

# A run that revoked its own token would pass on 401s alone.
if ! api tokens >/dev/null; then
  echo "schemathesis: the admin token stopped working during the run" >&2
  status=1
fi
if grep -q 'internal error' "$TMP/server.log"; then
  echo "schemathesis: the server logged internal errors:" >&2
  grep 'internal error' "$TMP/server.log" | head -20 >&2
  status=1
fi
exit "$status"
