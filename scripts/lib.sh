#!/usr/bin/env bash
# Shared helpers for scripts/run.sh and scripts/test.sh. Source it, don't run it.
# shellcheck shell=bash

# Repo root, whatever the caller's cwd is.
VOXORA_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export VOXORA_REPO

# Quiet, non-interactive dotnet (CI has no stdin and no use for banners/telemetry).
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[voxora] %s\n' "$*" >&2; }
die() { printf '[voxora] error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# apt-get update is slow, so do it at most once per script run.
_VOXORA_APT_UPDATED=0

# ensure_pkg PKG...: install the Debian packages that are not installed yet.
# Does nothing (no apt-get at all) when everything is already there.
ensure_pkg() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages (${missing[*]}) and no apt-get to install them"
  log "installing missing packages: ${missing[*]}"
  if [ "$_VOXORA_APT_UPDATED" -eq 0 ]; then
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    _VOXORA_APT_UPDATED=1
  fi
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The .NET SDK can't come from Debian's archive, so we can only check for it.
require_dotnet() {
  command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK first"
}

# The web client is built with Node.js 20+ and npm (Vite needs Node 20). Debian's own nodejs is
# older on bookworm, so a missing Node is installed from Debian only as a last resort, and an old
# one stops the build with a clear message instead of a cryptic Vite error.
require_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ensure_pkg nodejs npm
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$major" -ge 20 ] || die "the web client needs Node.js 20 or newer (found $(node --version 2>/dev/null || echo none)); install it, or build the server alone with -p:SkipWebBuild=true"
}

# ensure_node_tool NAME: the npm tool pinned in tools/NAME (package.json + package-lock.json) is installed there
# (`npm ci` when its node_modules is missing or older than the lock). Used for s3rver, @redocly/cli, openapi-typescript.
ensure_node_tool() {
  local dir="$VOXORA_REPO/tools/$1"
  [ -f "$dir/package-lock.json" ] || die "tools/$1 has no package-lock.json"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "installing tools/$1 (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci in tools/$1 failed"
  fi
}

# ---------------------------------------------------------------------------
# Throwaway PostgreSQL for the test suite (loopback only, temp dir, no durability).
# start_throwaway_postgres sets PG_ROOT and PG_PORT; the caller must arrange
# `trap stop_throwaway_postgres EXIT` *before* calling it so it is always cleaned up.
PG_ROOT=""
PG_PORT=""
PG_BIN=""

# Debian keeps initdb/pg_ctl off PATH, under /usr/lib/postgresql/<major>/bin; take the newest.
_find_pg_bin() {
  local d
  d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
    printf '%s\n' "$d"
    return 0
  fi
  die "PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin"
}

# initdb/postgres refuse to run as root, so as root we run them as the
# 'postgres' system user (created by the Debian package). cd / so they don't
# complain about a cwd that user can't read (e.g. /root).
_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# A random high TCP port nobody is listening on (re-checked by retries on start).
_free_port() {
  local port i
  for i in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  die "could not find a free TCP port after $i tries"
}

start_throwaway_postgres() {
  PG_BIN="$(_find_pg_bin)"
  # As root the temp dir must be reachable by 'postgres', so force /tmp
  # (TMPDIR could point into /root, which is 0700).
  if [ "$(id -u)" -eq 0 ]; then
    PG_ROOT="$(mktemp -d /tmp/voxora-pg.XXXXXX)"
  else
    PG_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/voxora-pg.XXXXXX")"
  fi
  mkdir -p "$PG_ROOT/sock"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "system user 'postgres' does not exist (is the postgresql package installed?)"
    chown -R postgres:postgres "$PG_ROOT"
  fi

  _as_pg "$PG_BIN/initdb" -D "$PG_ROOT/data" --auth=trust -U postgres \
    --encoding=UTF8 --locale=C >"$PG_ROOT/initdb.log" 2>&1 \
    || { cat "$PG_ROOT/initdb.log" >&2; die "initdb failed"; }

  # Retry with a new port in case another process grabbed ours in between.
  local attempt
  for attempt in 1 2 3 4 5; do
    PG_PORT="$(_free_port)"
    # fsync etc. off: the data is thrown away anyway, and tests run much faster.
    if _as_pg "$PG_BIN/pg_ctl" -w -t 60 -D "$PG_ROOT/data" -l "$PG_ROOT/data/log" start \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_ROOT/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        >/dev/null; then
      log "throwaway PostgreSQL up on 127.0.0.1:$PG_PORT (dir $PG_ROOT)"
      return 0
    fi
    log "PostgreSQL did not start on port $PG_PORT (attempt $attempt); log follows"
    cat "$PG_ROOT/data/log" >&2 || true
  done
  die "could not start PostgreSQL"
}

# Safe to call at any point (nothing started, half started, running), and twice.
stop_throwaway_postgres() {
  if [ -n "$PG_ROOT" ] && [ -d "$PG_ROOT" ]; then
    if [ -n "$PG_BIN" ] && [ -f "$PG_ROOT/data/postmaster.pid" ]; then
      # immediate: no checkpoint, the data is going away.
      _as_pg "$PG_BIN/pg_ctl" -w -D "$PG_ROOT/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_ROOT"
  fi
  PG_ROOT=""
}

# start_throwaway_redis sets REDIS_ROOT and REDIS_PORT; arrange `trap stop_throwaway_redis EXIT` first.
# No persistence (the data is thrown away); loopback only.
REDIS_ROOT=""
REDIS_PORT=""
start_throwaway_redis() {
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (is the redis-server package installed?)"
  REDIS_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/voxora-redis.XXXXXX")"
  local attempt
  for attempt in 1 2 3 4 5; do
    REDIS_PORT="$(_free_port)"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_ROOT" --save '' --appendonly no \
      --daemonize yes --pidfile "$REDIS_ROOT/redis.pid" --logfile "$REDIS_ROOT/redis.log" >/dev/null 2>&1 || true
    local i
    for i in $(seq 1 50); do
      if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
        log "throwaway Redis up on 127.0.0.1:$REDIS_PORT (dir $REDIS_ROOT)"
        return 0
      fi
      sleep 0.1
    done
    log "Redis did not start on port $REDIS_PORT (attempt $attempt); log follows"
    cat "$REDIS_ROOT/redis.log" >&2 || true
  done
  die "could not start Redis"
}

# Safe to call at any point, and twice.
stop_throwaway_redis() {
  if [ -n "$REDIS_ROOT" ] && [ -d "$REDIS_ROOT" ]; then
    if [ -f "$REDIS_ROOT/redis.pid" ]; then
      kill "$(cat "$REDIS_ROOT/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$REDIS_ROOT"
  fi
  REDIS_ROOT=""
}

# ---------------------------------------------------------------------------
# Throwaway S3-compatible server for the storage tests: s3rver (npm, pinned in tools/s3rver/package-lock.json,
# installed there with `npm ci` when missing), loopback only, its objects in a temp dir. It checks AWS signatures
# made with its fixed credentials S3RVER/S3RVER; the tests create a bucket per test server.
# start_throwaway_s3 sets S3_ROOT and S3_PORT; arrange `trap stop_throwaway_s3 EXIT` first.
S3_ROOT=""
S3_PORT=""
S3_PID=""
start_throwaway_s3() {
  local tool="$VOXORA_REPO/tools/s3rver"
  ensure_node_tool s3rver
  S3_ROOT="$(mktemp -d "${TMPDIR:-/tmp}/voxora-s3.XXXXXX")"
  local attempt i
  for attempt in 1 2 3 4 5; do
    S3_PORT="$(_free_port)"
    node "$tool/node_modules/s3rver/bin/s3rver.js" -d "$S3_ROOT/data" -a 127.0.0.1 -p "$S3_PORT" --silent \
      >"$S3_ROOT/s3rver.log" 2>&1 &
    S3_PID=$!
    for i in $(seq 1 100); do
      if curl -fsS -o /dev/null "http://127.0.0.1:$S3_PORT/" 2>/dev/null; then
        log "throwaway s3rver up on 127.0.0.1:$S3_PORT (dir $S3_ROOT)"
        return 0
      fi
      kill -0 "$S3_PID" 2>/dev/null || break
      sleep 0.1
    done
    log "s3rver did not start on port $S3_PORT (attempt $attempt); log follows"
    cat "$S3_ROOT/s3rver.log" >&2 || true
    kill "$S3_PID" 2>/dev/null || true
    S3_PID=""
  done
  die "could not start s3rver"
}

# Safe to call at any point, and twice.
stop_throwaway_s3() {
  if [ -n "$S3_PID" ]; then
    kill "$S3_PID" 2>/dev/null || true
    wait "$S3_PID" 2>/dev/null || true
    S3_PID=""
  fi
  if [ -n "$S3_ROOT" ] && [ -d "$S3_ROOT" ]; then
    rm -rf "$S3_ROOT"
  fi
  S3_ROOT=""
}
