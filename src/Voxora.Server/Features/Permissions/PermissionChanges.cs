using Voxora.Server.Gateway;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// What features call after saving anything that can change who may do or see what in a community
/// (roles, member roles, overrides, channels, timeouts): the snapshot is rebuilt and live connections
/// are told about channels they lost or gained, before the call returns.
/// </summary>
public sealed class PermissionChanges(PermissionCache cache, GatewayHub hub)
{
    public async Task<PermissionSnapshot?> ChangedAsync(string communityId, CancellationToken ct)
    {
        var (before, after) = await cache.ReloadAsync(communityId, ct);
        hub.AnnounceVisibilityChanges(before, after);
        return after;
    }
}
