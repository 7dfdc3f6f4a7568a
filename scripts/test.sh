#!/usr/bin/env bash
# Run every Voxora test against a throwaway PostgreSQL. Works from any cwd.
# Extra arguments go to `dotnet test` (e.g. scripts/test.sh --filter Auth).
# Prints "N passed, N failed" on its own line and exits with dotnet test's code.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# postgresql: server for the Postgres-backed tests; iproute2: `ss` to find a free port;
# ca-certificates: HTTPS for NuGet restore.
# chromium: the browser the end-to-end tests drive (Playwright never downloads its own here).
# fonts: so screenshots show text and emoji as people see them.
# janus: the voice SFU the voice tests run for real; util-linux: `unshare` for their network namespace;
# coturn: the TURN server a voice test relays through (the tests start their own on a namespace address).
# redis-server: the bus and shared state of the multi-node tests (the tests start their own on loopback).
# curl: the readiness probe of the throwaway s3rver (the S3 storage tests; s3rver itself comes from npm, tools/s3rver).
# docker-compose, caddy, python3-yaml: deploy/check.sh validates deploy/compose.yaml and deploy/Caddyfile (no daemon needed).
# Not installed: prometheus (promtool), 19 MB with a server daemon its package starts; deploy/check.sh runs
# `promtool check rules` when promtool is present (or PROMTOOL=/path) and says plainly that it skipped it otherwise.
coturn_preinstalled=0
redis_preinstalled=0
caddy_preinstalled=0
dpkg-query -W -f='${Status}' caddy 2>/dev/null | grep -q 'install ok installed' && caddy_preinstalled=1
dpkg-query -W -f='${Status}' redis-server 2>/dev/null | grep -q 'install ok installed' && redis_preinstalled=1
dpkg-query -W -f='${Status}' coturn 2>/dev/null | grep -q 'install ok installed' && coturn_preinstalled=1
ensure_pkg ca-certificates curl postgresql iproute2 chromium fonts-dejavu-core fonts-noto-color-emoji janus util-linux coturn redis-server \
  docker-compose caddy python3-yaml
# On a machine with systemd, installing coturn may start a system TURN server; the tests don't want one.
if [ "$coturn_preinstalled" = 0 ] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet coturn 2>/dev/null; then
  log "stopping and disabling the coturn service the package started (the tests run their own)"
  _as_root systemctl disable --now coturn >/dev/null 2>&1 || true
fi
if [ "$redis_preinstalled" = 0 ] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  log "stopping and disabling the redis-server service the package started (the tests run their own)"
  _as_root systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
if [ "$caddy_preinstalled" = 0 ] && command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet caddy 2>/dev/null; then
  log "stopping and disabling the caddy service the package started (only its config checker is used)"
  _as_root systemctl disable --now caddy >/dev/null 2>&1 || true
fi
require_dotnet
require_node

cd "$VOXORA_REPO"

# Always stop PostgreSQL, Redis and s3rver and delete their folders, whether tests pass, fail or we are interrupted.
trap 'stop_throwaway_postgres; stop_throwaway_redis; stop_throwaway_s3' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_throwaway_postgres
start_throwaway_redis
start_throwaway_s3

# The test suite reads these to reach the servers.
export VOXORA_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
export VOXORA_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export VOXORA_TEST_S3="http://127.0.0.1:$S3_PORT"

# OpenApiDocumentTests lint the served OpenAPI document with @redocly/cli and regenerate the web client's wire types
# with openapi-typescript (both pinned under tools/), failing on lint errors or drift.
ensure_node_tool redocly
ensure_node_tool openapi-typescript

RESULTS="$VOXORA_REPO/artifacts/test-results"
# Stale .trx files from an earlier run would skew the counts below.
rm -rf "$RESULTS" "$VOXORA_REPO/artifacts/e2e"
mkdir -p "$RESULTS"

# Test servers don't start a Janus each unless a test asks for voice (VOICE:ENABLED=true overrides this).
export VOXORA_VOICE__ENABLED=false

rc=0
dotnet test Voxora.slnx -c Release \
  --logger "trx;LogFilePrefix=results" \
  --logger "console;verbosity=normal" \
  --results-directory "$RESULTS" \
  "$@" || rc=$?

# Voice against a real Janus and Chromium, inside a private network namespace (Janus gathers no ICE
# candidates on loopback; the namespace has a veth pair and no route out). The build above is reused.
# Skipped when extra arguments narrow the run, unless VOXORA_TEST_VOICE=1.
if [ "$#" -eq 0 ] || [ "${VOXORA_TEST_VOICE:-0}" = "1" ]; then
  "$VOXORA_REPO/scripts/voice-netns.sh" dotnet test tests/Voxora.Server.Tests/Voxora.Server.Tests.csproj -c Release --no-build \
    --filter "FullyQualifiedName~Voxora.Server.Tests.Voice.JanusLive" \
    --logger "trx;LogFilePrefix=voice" \
    --logger "console;verbosity=normal" \
    --results-directory "$RESULTS" || rc=$?
  # Seed 000 "Test 2" in the browser: two people in a voice channel through the web client (Playwright).
  "$VOXORA_REPO/scripts/voice-netns.sh" dotnet test tests/Voxora.E2E/Voxora.E2E.csproj -c Release --no-build \
    --filter "FullyQualifiedName~Voxora.E2E.VoiceInTheBrowserTests" \
    --logger "trx;LogFilePrefix=voice-e2e" \
    --logger "console;verbosity=normal" \
    --results-directory "$RESULTS" || rc=$?
  # Issue 13: two people on two nodes (one external Janus, PostgreSQL and Redis started inside the namespace) talk.
  VOXORA_NETNS_SERVICES=1 "$VOXORA_REPO/scripts/voice-netns.sh" dotnet test tests/Voxora.E2E/Voxora.E2E.csproj -c Release --no-build \
    --filter "FullyQualifiedName~Voxora.E2E.TwoNodesVoiceInTheBrowserTests" \
    --logger "trx;LogFilePrefix=voice-cluster-e2e" \
    --logger "console;verbosity=normal" \
    --results-directory "$RESULTS" || rc=$?
fi

# The production deployment files (compose, Caddyfile, .env.example) agree with each other and with the settings.
"$VOXORA_REPO/deploy/check.sh" || rc=$?

# SBOMs of the server and web client, and a dependency vulnerability check with what the registries here offer (it says
# what it could not check; a reported vulnerability fails the run).
"$VOXORA_REPO/scripts/supply-chain.sh" "$VOXORA_REPO/artifacts/supply-chain" || rc=$?

# Sum <Counters passed=".." failed=".."> over every .trx (one per test project).
passed=0
failed=0
trx_count=0
while IFS= read -r -d '' trx; do
  trx_count=$((trx_count + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)"
  p="$(printf '%s' "$counters" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]\+' || true)"
  f="$(printf '%s' "$counters" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]\+' || true)"
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done < <(find "$RESULTS" -type f -name '*.trx' -print0)

# The web client's own unit tests (Vitest: stores, gateway client, API client). The dotnet build
# above already ran `npm ci` in web/.
web_rc=0
web_json="$RESULTS/vitest.json"
(cd "$VOXORA_REPO/web" && npx vitest run --reporter=default --reporter=json --outputFile.json="$web_json") || web_rc=$?
if [ -f "$web_json" ]; then
  web_passed="$(node -p "require('$web_json').numPassedTests")"
  web_failed="$(node -p "require('$web_json').numFailedTests")"
  passed=$((passed + web_passed))
  failed=$((failed + web_failed))
else
  log "vitest wrote no results"
  [ "$web_rc" -ne 0 ] || web_rc=1
fi

if [ "$failed" -gt 0 ]; then
  node "$VOXORA_REPO/scripts/failed-tests.mjs" "$RESULTS" || true
fi
echo "$passed passed, $failed failed"

if [ "$web_rc" -ne 0 ] && [ "$rc" -eq 0 ]; then
  rc=$web_rc
fi

if [ "$rc" -ne 0 ]; then
  exit "$rc"
fi
if [ "$trx_count" -eq 0 ]; then
  log "no .trx results found in $RESULTS"
  exit 1
fi
if [ $((passed + failed)) -eq 0 ]; then
  log "no tests ran"
  exit 1
fi
exit 0
