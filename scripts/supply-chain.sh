#!/usr/bin/env bash
# Software bill of materials and dependency vulnerability check (issue 20).
#
#   scripts/supply-chain.sh [OUT_DIR]      (default: artifacts/supply-chain)
#
# Writes CycloneDX SBOMs of the server (the CycloneDX .NET tool, pinned in .config/dotnet-tools.json) and of the
# web client (npm's own `npm sbom`), then checks the dependencies for known vulnerabilities with what the registries
# reachable here offer, and says plainly what it could not check. Exits 1 when a vulnerability is reported.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-artifacts/supply-chain}"
mkdir -p "$out"
status=0

echo "== SBOM: server (.NET)"
dotnet tool restore >/dev/null
dotnet CycloneDX src/Voxora.Server/Voxora.Server.csproj --exclude-test-projects \
  --output "$out" --filename voxora-server.cdx.json --output-format Json --set-name voxora-server \
  --disable-hash-computation >/dev/null
echo "   $out/voxora-server.cdx.json ($(grep -c '"purl"' "$out/voxora-server.cdx.json") packages)"

echo "== SBOM: web client (npm)"
(cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm sbom --sbom-format cyclonedx --omit dev) > "$out/voxora-web.cdx.json"
echo "   $out/voxora-web.cdx.json ($(grep -c '"purl"' "$out/voxora-web.cdx.json") packages)"

echo "== Vulnerabilities: NuGet (advisory data from the configured NuGet sources)"
report="$out/nuget-vulnerable.txt"
# `dotnet list package --vulnerable` says "no vulnerable packages" also when no source publishes advisories, so look
# first whether one does (a VulnerabilityInfo resource in its service index).
advisories=0
for source in $(dotnet nuget list source | grep -oE 'https?://[^ ]+'); do
  if curl -fsS --max-time 20 "$source" 2>/dev/null | grep -q '"VulnerabilityInfo'; then advisories=1; fi
done
dotnet list Voxora.slnx package --vulnerable --include-transitive > "$report" 2>&1 || true
if grep -q "has the following vulnerable packages" "$report"; then
  echo "   VULNERABLE packages reported: see $report"
  status=1
elif [ "$advisories" = 1 ] && grep -qi "no vulnerable packages" "$report"; then
  echo "   none reported ($report)"
else
  echo "   could not check: no configured NuGet source publishes vulnerability data (the mirror here serves packages only);"
  echo "   the SBOM above can be checked elsewhere (e.g. osv-scanner --sbom $out/voxora-server.cdx.json)"
fi

echo "== Vulnerabilities: npm (the registry's audit endpoint)"
if (cd web && npm audit --omit=dev --audit-level=low) > "$out/npm-audit.txt" 2>&1; then
  echo "   none reported ($out/npm-audit.txt)"
elif grep -qiE "audit endpoint returned an error|405|ENOTFOUND|ECONNREFUSED|ETIMEDOUT" "$out/npm-audit.txt"; then
  echo "   could not check: the npm registry reachable here has no audit endpoint ($out/npm-audit.txt);"
  echo "   the SBOM above can be checked elsewhere (e.g. osv-scanner --sbom $out/voxora-web.cdx.json)"
else
  echo "   VULNERABLE packages reported: see $out/npm-audit.txt"
  status=1
fi

exit "$status"
