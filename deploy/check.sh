#!/usr/bin/env bash
# Static checks of the deployment files, runnable anywhere (no Docker daemon, no network):
#   1. every variable deploy/compose.yaml reads (${NAME...}) is listed in deploy/.env.example, and every
#      variable listed there is read by compose.yaml (no stale entries);
#   2. every VOXORA_* setting compose.yaml gives the nodes is documented in README.md or docs/ (catches a
#      misspelt setting name, which the server would silently ignore);
#   3. compose.yaml is accepted by `docker-compose config` / `docker compose config` / `podman-compose config`
#      (whichever is installed; given a throwaway .env with every required value set), and its references
#      (depends_on, networks, volumes) resolve and the nodes' VOXORA_NODE_IDs differ (python3 + yaml);
#   4. deploy/Caddyfile adapts (`caddy adapt`) when caddy is installed;
#   5. deploy/prometheus/alerts.yml passes `promtool check rules`, and every PromQL expression of
#      deploy/grafana/voxora.json parses (checked as recording rules, Grafana's $__rate_interval and $instance
#      replaced), when promtool is installed (Debian package `prometheus`; PROMTOOL=/path/to/promtool to use another).
#      The dashboard's JSON is parsed either way. (Which metric names they use is tested against a live /metrics
#      scrape by tests/Voxora.Server.Tests/MonitoringFilesTests.cs.)
# Exit 0 when everything that could be checked passed; it says which checks it skipped for a missing tool.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
compose="$here/compose.yaml"
example="$here/.env.example"
failures=0
fail() { printf 'deploy/check.sh: FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }
note() { printf 'deploy/check.sh: %s\n' "$*"; }

# --- 1. variables ----------------------------------------------------------------------------------------------
# ${NAME}, ${NAME:-default}, ${NAME:?message}; $$ is compose's escape for a literal $ and is not a variable.
read_vars="$(sed 's/\$\$//g' "$compose" | grep -o '\${[A-Za-z_][A-Za-z0-9_]*' | sed 's/^\${//' | sort -u)"
listed_vars="$(sed -n 's/^#\{0,1\}\([A-Z_][A-Z0-9_]*\)=.*/\1/p' "$example" | sort -u)"
required_vars="$(sed 's/\$\$//g' "$compose" | grep -o '\${[A-Za-z_][A-Za-z0-9_]*:?' | sed 's/^\${//; s/:?$//' | sort -u)"
for var in $read_vars; do
  grep -qx "$var" <<<"$listed_vars" || fail "compose.yaml reads \${$var} but deploy/.env.example does not list it"
done
for var in $listed_vars; do
  grep -qx "$var" <<<"$read_vars" || fail "deploy/.env.example lists $var but compose.yaml never reads it"
done
for var in $required_vars; do
  grep -q "^$var=" "$example" || fail "$var is required by compose.yaml (:?) but commented out in deploy/.env.example"
done
note "variables: $(wc -w <<<"$read_vars") read by compose.yaml, $(wc -w <<<"$required_vars") of them required"

# --- 2. VOXORA_* settings are real ones ------------------------------------------------------------------------
settings="$(grep -o '^ *VOXORA_[A-Za-z0-9_]*:' "$compose" | tr -d ' :' | sort -u)"
for setting in $settings; do
  # VOXORA_Logging__LogLevel__Default is documented with that casing; match exactly.
  # README abbreviates siblings of a setting as `…__KEY` on the same row.
  grep -rqF -- "$setting" "$repo/README.md" "$repo/docs" \
    || grep -qF -- "…__${setting##*__}" "$repo/README.md" \
    || fail "compose.yaml sets $setting, which README.md and docs/ do not document"
done
note "settings: $(wc -w <<<"$settings") VOXORA_* settings checked against README.md and docs/"

# --- 3. compose.yaml parses ------------------------------------------------------------------------------------
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Placeholders for the required values, so interpolation can complete.
for var in $required_vars; do printf '%s=check-placeholder\n' "$var"; done >"$tmp/env"
sed -i 's/^PUBLIC_IP=.*/PUBLIC_IP=203.0.113.7/; s/^VOXORA_DOMAIN=.*/VOXORA_DOMAIN=chat.example.org/' "$tmp/env"
if command -v docker-compose >/dev/null 2>&1; then
  docker-compose --env-file "$tmp/env" -f "$compose" config -q || fail "docker-compose config rejected compose.yaml"
  note "compose: docker-compose config accepted it"
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  docker compose --env-file "$tmp/env" -f "$compose" config -q || fail "docker compose config rejected compose.yaml"
  note "compose: docker compose config accepted it"
elif command -v podman-compose >/dev/null 2>&1; then
  (set -a && . "$tmp/env" && podman-compose -f "$compose" config >/dev/null) || fail "podman-compose config rejected compose.yaml"
  note "compose: podman-compose config accepted it"
else
  note "compose: no compose tool installed; YAML structure check only"
fi
# docker-compose 1.x's `config` does not resolve references, so check them here as well.
if command -v python3 >/dev/null 2>&1 && python3 -c 'import yaml' 2>/dev/null; then
  python3 - "$compose" <<'PY' || fail "compose.yaml structure (see above)"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
services, networks, volumes = doc["services"], doc.get("networks") or {}, doc.get("volumes") or {}
problems = []
missing = {"postgres", "redis", "janus", "coturn", "voxora-1", "voxora-2", "caddy"} - set(services)
if missing:
    problems.append(f"missing services: {sorted(missing)}")
for name, svc in services.items():
    for dep in svc.get("depends_on") or []:
        if dep not in services:
            problems.append(f"{name} depends on unknown service {dep}")
    for net in svc.get("networks") or []:
        if net not in networks:
            problems.append(f"{name} uses undefined network {net}")
    for vol in svc.get("volumes") or []:
        source = vol.split(":", 1)[0]
        if not source.startswith((".", "/")) and source not in volumes:
            problems.append(f"{name} uses undefined volume {source}")
ids = [svc["environment"]["VOXORA_NODE_ID"] for svc in services.values()
       if isinstance(svc.get("environment"), dict) and "VOXORA_NODE_ID" in svc["environment"]]
if len(ids) != len(set(ids)):
    problems.append(f"VOXORA_NODE_ID values repeat: {ids}")
for p in problems:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
  note "compose: services, depends_on, networks, volumes and distinct VOXORA_NODE_IDs check out"
else
  note "compose: structure check SKIPPED (no python3 with yaml)"
fi

# --- 4. Caddyfile ----------------------------------------------------------------------------------------------
if command -v caddy >/dev/null 2>&1; then
  CADDY_SITE_ADDRESS=chat.example.org CADDY_UPSTREAMS='voxora-1:8080 voxora-2:8080' \
    caddy adapt --config "$here/Caddyfile" --adapter caddyfile >"$tmp/caddy.json" 2>"$tmp/caddy.err" \
    || { cat "$tmp/caddy.err" >&2; fail "caddy adapt rejected deploy/Caddyfile"; }
  # Both upstreams and the health check must survive the environment substitution.
  for expected in '"dial":"voxora-1:8080"' '"dial":"voxora-2:8080"' '"uri":"/health/ready"' '"policy":"least_conn"'; do
    grep -qF "$expected" "$tmp/caddy.json" || fail "adapted Caddyfile lacks $expected"
  done
  note "caddy: Caddyfile adapts, with both upstreams, least_conn and the /health/ready check"
else
  note "caddy: SKIPPED (caddy not installed)"
fi

# --- 5. Prometheus rules and the Grafana dashboard --------------------------------------------------------------
dashboard="$here/grafana/voxora.json"
rules="$here/prometheus/alerts.yml"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dashboard" || fail "deploy/grafana/voxora.json is not valid JSON"
promtool="${PROMTOOL:-$(command -v promtool || true)}"
if [ -n "$promtool" ] && [ -x "$promtool" ]; then
  "$promtool" check rules "$rules" >"$tmp/promtool.out" 2>&1 || { cat "$tmp/promtool.out" >&2; fail "promtool rejected deploy/prometheus/alerts.yml"; }
  python3 - "$dashboard" >"$tmp/dashboard-rules.yml" <<'PY'
import json, sys
panels = json.load(open(sys.argv[1]))["panels"]
exprs = [t["expr"] for p in panels for t in p.get("targets", [])]
print("groups:\n  - name: dashboard\n    rules:")
for i, e in enumerate(exprs):
    e = e.replace("$__rate_interval", "5m").replace("$instance", ".*")
    print(f"      - record: dashboard:expr{i}\n        expr: {json.dumps(e)}")
PY
  "$promtool" check rules "$tmp/dashboard-rules.yml" >"$tmp/promtool-dash.out" 2>&1 \
    || { cat "$tmp/promtool-dash.out" >&2; fail "a PromQL expression of deploy/grafana/voxora.json does not parse"; }
  note "prometheus: $(grep -c 'alert:' "$rules") alert rules and $(grep -c 'record:' "$tmp/dashboard-rules.yml") dashboard expressions pass promtool check rules"
else
  note "prometheus: promtool check SKIPPED (promtool not installed: apt-get install prometheus, or set PROMTOOL); dashboard JSON parsed only"
fi

if [ "$failures" -gt 0 ]; then
  note "$failures check(s) failed"
  exit 1
fi
note "all checks passed"
