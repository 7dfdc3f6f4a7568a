using Voxora.Server.Features.Communities;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// What features call after saving anything that can change who may do or see what in a community
/// (roles, member roles, overrides, channels, timeouts): the snapshot is rebuilt and live connections
/// are told about channels they lost or gained, before the call returns.
/// </summary>
public sealed class PermissionChanges(PermissionCache cache, GatewayHub hub, MemberDirectory members) : IDomainEventHandler<CommunityMemberRemoved>, IDomainEventHandler<CommunityDeleted>
{
    /// <summary>
    /// A membership was removed (leave, kick, ban): per-request checks stop seeing it now, and the snapshot is
    /// rebuilt because the member's role grants went with the row.
    /// </summary>
    public async Task HandleAsync(CommunityMemberRemoved removal, CancellationToken ct)
    {
        members.Forget(removal.CommunityId, removal.User.Id);
        await ChangedAsync(removal.CommunityId, ct);
    }

    /// <summary>The community was deleted (domain event): its snapshot and cached members are forgotten.</summary>
    public Task HandleAsync(CommunityDeleted deleted, CancellationToken ct)
    {
        cache.Forget(deleted.CommunityId);
        members.ForgetCommunity(deleted.CommunityId);
        return Task.CompletedTask;
    }

    public async Task<PermissionSnapshot?> ChangedAsync(string communityId, CancellationToken ct)
    {
        var (before, after) = await cache.ReloadAsync(communityId, ct);
        hub.AnnounceVisibilityChanges(before, after);
        return after;
    }
}
