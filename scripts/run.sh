#!/usr/bin/env bash
# Build Voxora and run the server in the foreground. Works from any cwd.
# Arguments go to the server: `scripts/run.sh search rebuild` rebuilds the message search index and exits.
# Configuration comes from the environment (VOXORA_URLS, VOXORA_DATA_DIR,
# VOXORA_DATABASE__PROVIDER, VOXORA_DATABASE__CONNECTIONSTRING, ...), passed through as is.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# NuGet restore needs the CA bundle for HTTPS.
# janus: the WebRTC SFU voice runs on (started and supervised by the server; see docs/voice.md).
ensure_pkg ca-certificates janus
require_dotnet
# The server's build also builds the web client (web/) with npm.
require_node

cd "$VOXORA_REPO"

# Keep data in the repo (git-ignored /data/) rather than wherever the user happened to be.
export VOXORA_DATA_DIR="${VOXORA_DATA_DIR:-$VOXORA_REPO/data}"

log "building (Release)"
dotnet build Voxora.slnx -c Release

# Tell the user where to connect before the server takes over the terminal.
if [ $# -eq 0 ]; then
  log "Voxora will listen on ${VOXORA_URLS:-http://127.0.0.1:8080} (data in $VOXORA_DATA_DIR)"
fi
# exec so signals (Ctrl-C, SIGTERM) go straight to the server.
exec dotnet src/Voxora.Server/bin/Release/net10.0/Voxora.Server.dll "$@"
