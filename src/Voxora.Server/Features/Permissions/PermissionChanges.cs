using Voxora.Server.Gateway;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// What features call after saving anything that can change who may do or see what in a community
/// (roles, member roles, overrides, channels, timeouts): the snapshot is rebuilt and live connections
/// are told about channels they lost or gained, before the call returns.
/// </summary>
public sealed class PermissionChanges(PermissionCache cache, GatewayHub hub, Communities.MemberDirectory members)
{
    /// <summary>A membership row was deleted (leave, kick, ban): per-request checks must stop seeing it now.</summary>
    public void MemberRemoved(string communityId, string userId) => members.Forget(communityId, userId);

    /// <summary>The community was deleted.</summary>
    public void CommunityDeleted(string communityId)
    {
        cache.Forget(communityId);
        members.ForgetCommunity(communityId);
    }

    public async Task<PermissionSnapshot?> ChangedAsync(string communityId, CancellationToken ct)
    {
        var (before, after) = await cache.ReloadAsync(communityId, ct);
        hub.AnnounceVisibilityChanges(before, after);
        return after;
    }
}
