#!/usr/bin/env bash
# Refresh what the web client takes from the server's OpenAPI document (issue 17, "one source for the protocol"):
#   web/src/api/generated/openapi.json   the document the server serves at /openapi/v1.json (indented)
#   web/src/api/generated/schema.ts      its TypeScript types, made by openapi-typescript (tools/openapi-typescript)
# Run it after changing an endpoint or a wire type, and commit both files. OpenApiDocumentTests (in scripts/test.sh)
# fail when either differs from what the current server produces, and lint the document with @redocly/cli.
# Extra arguments go to `dotnet test` (e.g. -p:SkipWebBuild=true).
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_dotnet
require_node
ensure_node_tool redocly
ensure_node_tool openapi-typescript

cd "$VOXORA_REPO"
# The document does not depend on the database: the SQLite test server is enough, no PostgreSQL, Redis or S3 needed.
VOXORA_OPENAPI_UPDATE=1 VOXORA_VOICE__ENABLED=false dotnet test tests/Voxora.Server.Tests/Voxora.Server.Tests.csproj \
  --filter "FullyQualifiedName~Voxora.Server.Tests.OpenApiDocumentTests" "$@"
git status --short web/src/api/generated/
