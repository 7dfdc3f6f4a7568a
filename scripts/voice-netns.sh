#!/usr/bin/env bash
# Run a command inside a throwaway, private network namespace for the voice tests:
#   scripts/voice-netns.sh dotnet test tests/Voxora.Server.Tests --no-build --filter FullyQualifiedName~.Voice.
#
# Why: Janus gathers no ICE candidates on loopback interfaces (its ice.c skips IFF_LOOPBACK), so a real
# WebRTC call needs a non-loopback interface. The namespace has `lo` plus a veth pair whose BOTH ends live
# inside it (10.213.0.1/30 and 10.213.0.2/30) and no default route: Janus, Chromium and the test server
# talk over these addresses and can never reach anything outside this machine. The namespace disappears
# with the command (unshare), so nothing is left behind even if the tests crash.
#
# Needs root (or unprivileged user namespaces, then it maps the caller to root inside).
# Sets VOXORA_TEST_VOICE_NETNS=1, which the Janus tests require before they run. With VOXORA_NETNS_SERVICES=1 it
# also starts a throwaway PostgreSQL and Redis inside the namespace (VOXORA_TEST_POSTGRES / VOXORA_TEST_REDIS).
set -euo pipefail

if [ "${1:-}" = "--inside" ]; then
  shift
  ip link set lo up
  ip link add vxvoice0 type veth peer name vxvoice1
  ip addr add 10.213.0.1/30 dev vxvoice0
  ip addr add 10.213.0.2/30 dev vxvoice1
  ip link set vxvoice0 up
  ip link set vxvoice1 up
  # veth carrier comes up asynchronously; Janus reads the interfaces once at start.
  for _ in $(seq 1 50); do
    [ "$(cat /sys/class/net/vxvoice0/operstate 2>/dev/null)" = "up" ] && break
    sleep 0.1
  done
  if ip route show default | grep -q .; then
    echo "[voxora] error: the voice namespace has a default route; refusing to run" >&2
    exit 1
  fi
  export VOXORA_TEST_VOICE_NETNS=1
  if [ "${VOXORA_NETNS_SERVICES:-0}" = "1" ]; then
    # The namespace cannot reach the PostgreSQL and Redis started outside it (their loopback is not this one):
    # start throwaway ones on this namespace's loopback for the multi-node voice tests, and stop them after.
    # shellcheck source=SCRIPTDIR/lib.sh
    source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
    trap 'stop_throwaway_postgres; stop_throwaway_redis' EXIT
    start_throwaway_postgres
    start_throwaway_redis
    export VOXORA_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
    export VOXORA_TEST_REDIS="127.0.0.1:$REDIS_PORT"
    "$@"
    exit $?
  fi
  exec "$@"
fi

[ "$#" -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
if [ "$(id -u)" -eq 0 ]; then
  exec unshare --net -- "$self" --inside "$@"
fi
exec unshare --user --map-root-user --net -- "$self" --inside "$@"
