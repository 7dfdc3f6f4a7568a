#!/usr/bin/env bash
# The server executable's commands, with the same configuration as scripts/run.sh (works from any cwd):
#   scripts/voxora.sh backup --out FILE      a consistent backup while the server runs (docs/operations.md)
#   scripts/voxora.sh restore --from FILE    into an empty data folder and an empty database
#   scripts/voxora.sh search rebuild         rebuild the message search index
# Builds first when needed (build output goes to stderr, so stdout is the command's own). Configuration comes from
# the environment (VOXORA_DATA_DIR, VOXORA_DATABASE__PROVIDER, VOXORA_DATABASE__CONNECTIONSTRING, ...), as for run.sh.
# Exit codes are the command's: 0 done, 1 failed part-way, 2 refused (arguments, configuration, target not empty,
# damaged or foreign archive), 3 database unreachable.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -gt 0 ] || die "usage: scripts/voxora.sh backup --out FILE | restore --from FILE | search rebuild"

ensure_pkg ca-certificates
provider="$(printf '%s' "${VOXORA_DATABASE__PROVIDER:-sqlite}" | tr '[:upper:]' '[:lower:]')"
if [ "$provider" != "sqlite" ] && { [ "$1" = "backup" ] || [ "$1" = "restore" ]; }; then
  # pg_dump / pg_restore (they must be at least the PostgreSQL server's version; the command checks).
  ensure_pkg postgresql-client
fi
require_dotnet
require_node

# The same data folder scripts/run.sh uses (run.sh runs from the repo, so a relative one is relative to the repo).
data_dir="${VOXORA_DATA_DIR:-data}"
case "$data_dir" in /*) ;; *) data_dir="$VOXORA_REPO/$data_dir" ;; esac
export VOXORA_DATA_DIR="$data_dir"

log "building (Release)"
dotnet build "$VOXORA_REPO/Voxora.slnx" -c Release -nologo -v quiet >&2
# Not cd'ing to the repo: --out/--from paths stay relative to where the command was typed.
exec dotnet "$VOXORA_REPO/src/Voxora.Server/bin/Release/net10.0/Voxora.Server.dll" "$@"
