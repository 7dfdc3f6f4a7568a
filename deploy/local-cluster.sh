#!/usr/bin/env bash
# The topology of deploy/compose.yaml as processes on this machine, for a machine without a container runtime:
# a throwaway PostgreSQL (scripts/lib.sh), redis-server, Janus started by deploy/janus/entrypoint.sh, two Voxora
# nodes with the environment compose.yaml gives them (distinct VOXORA_NODE_ID, one public URL, one audit key,
# Caddy as the trusted proxy) and Caddy with deploy/Caddyfile as the load balancer on plain HTTP. Everything
# listens on 127.0.0.1 only and is stopped and deleted at exit. Then it checks, through Caddy:
#   both nodes start on one fresh database at the same time (migrations applied once) and are ready;
#   /health/ready, the discovery document's issuer (= the load balancer's URL), register + login,
#   a token issued through the balancer is accepted by each node directly, voice status (Janus reachable),
#   a gateway WebSocket upgrade answered with HELLO, and that after SIGTERM to one node everything still
#   answers through Caddy.
#
#   deploy/local-cluster.sh              # builds the app like deploy/Dockerfile does, into artifacts/deploy-app
#   VOXORA_APP_DIR=/path/to/app deploy/local-cluster.sh   # use an app folder built that way already
#
# Ends with "N passed, N failed"; exit 0 only when every check passed. Needs root (or sudo) only to install
# missing Debian packages (postgresql, redis-server, caddy, janus, curl).
set -euo pipefail

# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
deploy="$VOXORA_REPO/deploy"

ensure_pkg ca-certificates curl postgresql redis-server caddy janus
require_dotnet

app="${VOXORA_APP_DIR:-}"
if [ -z "$app" ]; then
  require_node
  app="$VOXORA_REPO/artifacts/deploy-app"
  log "building the app as deploy/Dockerfile does, into $app"
  rm -rf "$app"
  (cd "$VOXORA_REPO/web" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
  (
    cd "$VOXORA_REPO"
    dotnet publish src/Voxora.Server/Voxora.Server.csproj -c Release -p:SkipWebBuild=true -o "$app" >/dev/null
    dotnet build src/Voxora.Migrations.Postgres/Voxora.Migrations.Postgres.csproj -c Release -p:SkipWebBuild=true >/dev/null
    dotnet build src/Voxora.Migrations.Sqlite/Voxora.Migrations.Sqlite.csproj -c Release -p:SkipWebBuild=true >/dev/null
    cp src/Voxora.Migrations.Postgres/bin/Release/net10.0/Voxora.Migrations.Postgres.dll \
       src/Voxora.Migrations.Sqlite/bin/Release/net10.0/Voxora.Migrations.Sqlite.dll "$app/"
    cp -r web/dist "$app/wwwroot"
  )
fi
[ -f "$app/Voxora.Server.dll" ] || die "no Voxora.Server.dll in $app"

work="$(mktemp -d /tmp/voxora-cluster.XXXXXX)"
pids=()
cleanup() {
  local i pid
  # Reverse start order: the balancer and the nodes stop before the services they use.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[$i]}"
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 350); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  stop_throwaway_postgres
  if [ "${KEEP_LOGS:-0}" = 1 ]; then log "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0
failed=0
check() { # check NAME COMMAND...: runs the command, counts and prints the outcome
  local name="$1"
  shift
  if "$@" >"$work/last-check.out" 2>&1; then
    passed=$((passed + 1))
    log "PASS $name"
  else
    failed=$((failed + 1))
    log "FAIL $name"
    sed 's/^/    /' "$work/last-check.out" >&2
  fi
}
wait_for() { # wait_for SECONDS URL: until the URL answers 200
  local deadline=$((SECONDS + $1))
  until curl -fsS -o /dev/null --max-time 2 "$2" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
wait_for_node() { # wait_for_node N: node N ready within 120 s; gives up at once if it exited
  local deadline=$((SECONDS + 120)) url="http://127.0.0.1:${node_ports[$(($1 - 1))]}/health/ready"
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    kill -0 "${node_pid[$1]}" 2>/dev/null || { echo "node $1 exited"; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
secret() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# --- services the nodes share ---------------------------------------------------------------------------------
start_throwaway_postgres
# compose.yaml's postgres image creates the database (POSTGRES_DB); do the same here.
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres voxora

redis_port="$(_free_port)"
redis_password="$(secret)"
redis-server --bind 127.0.0.1 --port "$redis_port" --requirepass "$redis_password" --save '' --appendonly no \
  --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)

janus_port="$(_free_port)"
janus_secret="$(secret)"
janus_admin_key="$(secret)"
rtp_min=$((40000 + RANDOM % 20000 / 100 * 100))
JANUS_API_SECRET="$janus_secret" JANUS_ADMIN_KEY="$janus_admin_key" JANUS_WS_IP=127.0.0.1 JANUS_WS_PORT="$janus_port" \
  JANUS_RTP_PORT_MIN="$rtp_min" JANUS_RTP_PORT_MAX="$((rtp_min + 99))" JANUS_CONFIG_DIR="$work/janus" \
  "$deploy/janus/entrypoint.sh" >"$work/janus.log" 2>&1 &
pids+=($!)

# --- two nodes, environment as in compose.yaml ------------------------------------------------------------------
caddy_port="$(_free_port)"
public_url="http://127.0.0.1:$caddy_port"
audit_key="$(head -c 32 /dev/urandom | base64)"
node_ports=("$(_free_port)" "$(_free_port)")
declare -A node_pid
start_node() { # start_node N: node N (1 or 2) in the background
  local node="$1" port="${node_ports[$(($1 - 1))]}"
  mkdir -p "$work/node$node"
  env VOXORA_URLS="http://127.0.0.1:$port" \
    VOXORA_DATA_DIR="$work/node$node" \
    VOXORA_NODE_ID="$node" \
    VOXORA_PUBLIC_URL="$public_url" \
    VOXORA_DATABASE__PROVIDER=postgres \
    VOXORA_DATABASE__CONNECTIONSTRING="Host=127.0.0.1;Port=$PG_PORT;Database=voxora;Username=postgres" \
    VOXORA_REDIS__CONFIGURATION="127.0.0.1:$redis_port,password=$redis_password" \
    VOXORA_AUDIT__KEY="$audit_key" \
    VOXORA_NETWORK__TRUSTED_PROXIES=127.0.0.1 \
    VOXORA_VOICE__JANUS_URL="ws://127.0.0.1:$janus_port" \
    VOXORA_VOICE__JANUS_API_SECRET="$janus_secret" \
    VOXORA_VOICE__JANUS_ADMIN_KEY="$janus_admin_key" \
    dotnet "$app/Voxora.Server.dll" >>"$work/node$node.log" 2>&1 &
  node_pid[$node]=$!
  pids+=($!)
}
# Both at once on the fresh database, as `docker compose up` starts them.
start_node 1
start_node 2

# --- Caddy with the production Caddyfile, plain HTTP -----------------------------------------------------------
CADDY_SITE_ADDRESS="$public_url" CADDY_UPSTREAMS="127.0.0.1:${node_ports[0]} 127.0.0.1:${node_ports[1]}" \
  XDG_DATA_HOME="$work/caddy" XDG_CONFIG_HOME="$work/caddy" \
  caddy run --config "$deploy/Caddyfile" --adapter caddyfile >"$work/caddy.log" 2>&1 &
pids+=($!)

log "postgres :$PG_PORT, redis :$redis_port, janus :$janus_port, nodes :${node_ports[0]} :${node_ports[1]}, caddy $public_url"

# --- checks ----------------------------------------------------------------------------------------------------
check "node 1 ready (both started together on a fresh database)" wait_for_node 1
check "node 2 ready (both started together on a fresh database)" wait_for_node 2
migrations_once() {
  local node total distinct ok=0
  for node in 1 2; do
    kill -0 "${node_pid[$node]}" 2>/dev/null || { echo "node $node exited during start-up: $(grep -v '^{' "$work/node$node.log" | tail -1)"; ok=1; }
  done
  total="$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d voxora -Atc 'select count(*) from "__EFMigrationsHistory"')"
  distinct="$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d voxora -Atc 'select count(distinct "MigrationId") from "__EFMigrationsHistory"')"
  echo "migration history rows: $total, distinct: $distinct"
  [ "$total" -gt 0 ] && [ "$total" = "$distinct" ] || ok=1
  if grep -h '"LogLevel":"\(Error\|Critical\)"' "$work/node1.log" "$work/node2.log"; then ok=1; fi
  return "$ok"
}
check "both nodes survive starting together; migrations recorded once; no errors logged" migrations_once
# What compose's `restart: unless-stopped` does for a node that exited, so the checks below still mean something.
for node in 1 2; do
  if ! kill -0 "${node_pid[$node]}" 2>/dev/null; then
    log "restarting node $node (as compose's restart policy would)"
    start_node "$node"
    wait_for_node "$node" || die "node $node did not come back; see $work/node$node.log"
  fi
done
check "ready through Caddy" wait_for 30 "$public_url/health/ready"

issuer_is_public_url() {
  curl -fsS "$public_url/.well-known/openid-configuration" | grep -qF "\"issuer\":\"$public_url\""
}
check "discovery issuer is the load balancer's URL" issuer_is_public_url

user="cluster$RANDOM"
password="$(secret)"
register_and_login() {
  curl -fsS -H 'Content-Type: application/json' -d "{\"username\":\"$user\",\"password\":\"$password\"}" \
    "$public_url/api/v1/auth/register" >/dev/null
  curl -fsS -H 'Content-Type: application/json' -d "{\"login\":\"$user\",\"password\":\"$password\"}" \
    "$public_url/api/v1/auth/login" >"$work/login.json"
  grep -q '"access_token"' "$work/login.json"
}
check "register and log in through Caddy" register_and_login
token="$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' "$work/login.json" 2>/dev/null || true)"

token_accepted_by_each_node() {
  local port
  for port in "${node_ports[@]}"; do
    curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/users/@me" | grep -qF "\"username\":\"$user\"" \
      || { echo "node on :$port refused the token"; return 1; }
  done
}
check "a token issued through Caddy is accepted by each node" token_accepted_by_each_node

voice_available() {
  local deadline=$((SECONDS + 30))
  until curl -fsS -H "Authorization: Bearer $token" "$public_url/api/v1/voice/status" | tee "$work/voice.json" | grep -q '"available":true'; do
    [ "$SECONDS" -lt "$deadline" ] || { cat "$work/voice.json"; return 1; }
    sleep 1
  done
}
check "voice available (nodes reach the Janus from deploy/janus/entrypoint.sh)" voice_available

gateway_upgrade() {
  # curl speaks HTTP/1.1 Upgrade; Caddy must pass it through and the node answer 101 and send HELLO (op 8).
  curl -sS -N --http1.1 --max-time 3 -o "$work/ws.out" -D "$work/ws.headers" \
    -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' "$public_url/gateway?v=1&encoding=json" || true
  head -1 "$work/ws.headers"
  grep -q '^HTTP/1.1 101' "$work/ws.headers" && grep -qa '"op":8' "$work/ws.out"
}
check "gateway WebSocket upgrade through Caddy answers HELLO" gateway_upgrade

kill -TERM "${node_pid[1]}"
node1_stopped() {
  local deadline=$((SECONDS + 35))
  while kill -0 "${node_pid[1]}" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "node 1 still running 35 s after SIGTERM"; return 1; }
    sleep 0.5
  done
}
check "node 1 exits after SIGTERM within 35 s" node1_stopped
survivor_serves() {
  local i
  for i in $(seq 1 20); do
    curl -fsS -o /dev/null "$public_url/health/ready" || { echo "request $i through Caddy failed"; return 1; }
  done
  curl -fsS -H 'Content-Type: application/json' -d "{\"login\":\"$user\",\"password\":\"$password\"}" \
    "$public_url/api/v1/auth/login" | grep -q '"access_token"'
}
check "with node 1 stopped, 20 requests and a login through Caddy all succeed" survivor_serves

printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
