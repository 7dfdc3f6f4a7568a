#!/usr/bin/env bash
# Run every Voxora test against a throwaway PostgreSQL. Works from any cwd.
# Extra arguments go to `dotnet test` (e.g. scripts/test.sh --filter Auth).
# Prints "N passed, N failed" on its own line and exits with dotnet test's code.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# postgresql: server for the Postgres-backed tests; iproute2: `ss` to find a free port;
# ca-certificates: HTTPS for NuGet restore.
ensure_pkg ca-certificates postgresql iproute2
require_dotnet

cd "$VOXORA_REPO"

# Always stop PostgreSQL and delete its folder, whether tests pass, fail or we are interrupted.
trap stop_throwaway_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_throwaway_postgres

# The test suite reads this to reach the server.
export VOXORA_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"

RESULTS="$VOXORA_REPO/artifacts/test-results"
# Stale .trx files from an earlier run would skew the counts below.
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

rc=0
dotnet test Voxora.slnx -c Release \
  --logger "trx;LogFilePrefix=results" \
  --logger "console;verbosity=normal" \
  --results-directory "$RESULTS" \
  "$@" || rc=$?

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

echo "$passed passed, $failed failed"

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
