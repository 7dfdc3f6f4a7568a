using Microsoft.AspNetCore.Http.HttpResults;
using Voxora.Protocol;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// <c>GET /api/v1/permissions</c>: the permission table (name, bit, description, default) for clients to
/// build their editors from. Public information, so no token is needed; rate-limited per address.
/// </summary>
public static class PermissionsEndpoints
{
    private static readonly PermissionTable Table = new(
        Permission.Definitions(), Permission.EveryoneDefault, PodPermission.Definitions(), PodPermission.EveryoneDefault);

    public static RouteGroupBuilder MapPermissionsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/permissions", Get).WithSummary("Every community and pod permission with its bit and description").WithTags("Permissions").RequireRateLimiting(RateLimits.Anonymous);
        return api;
    }

    private static Ok<PermissionTable> Get() => TypedResults.Ok(Table);
}
