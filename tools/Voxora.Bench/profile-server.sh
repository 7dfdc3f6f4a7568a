#!/usr/bin/env bash
# Run a bench scenario and take a sampled-thread-time trace of the server it starts.
# usage: tools/Voxora.Bench/profile-server.sh OUT.nettrace DELAY_S TRACE_S -- <bench args...>
# Needs dotnet-trace (dotnet tool install -g dotnet-trace). Prints the bench's table, then the top methods.
set -euo pipefail
out="$1"; delay="$2"; secs="$3"; shift 3; [ "${1:-}" = "--" ] && shift
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$PATH:$HOME/.dotnet/tools"
log="$(mktemp)"
dotnet "$repo/tools/Voxora.Bench/bin/Release/net10.0/Voxora.Bench.dll" "$@" >"$log" 2>&1 &
bench=$!
pid=""
for _ in $(seq 1 600); do
  pid="$(grep -o 'pid [0-9]*' "$log" | head -n 1 | cut -d' ' -f2 || true)"
  [ -n "$pid" ] && break
  sleep 0.5
done
[ -n "$pid" ] || { cat "$log"; exit 1; }
sleep "$delay"
dotnet-trace collect -p "$pid" --profile dotnet-sampled-thread-time --duration "00:00:00:$(printf '%02d' "$secs")" -o "$out" >/dev/null
wait "$bench" || true
cat "$log"
dotnet-trace report "$out" topN -n 40 --inclusive 2>/dev/null | head -60 || true
