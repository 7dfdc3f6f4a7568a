using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Communities;

public enum MemberRemovalReason
{
    Left,
    Kicked,
    Banned,
}

/// <summary>
/// Domain event: a membership row was deleted (leave, kick or ban) and the deletion is saved. Carries what the
/// subscribers need, not entities: the member's caches are forgotten and the community's permission snapshot
/// rebuilt, the gateway stops routing the community to the user and tells everyone, voice ends their connection.
/// </summary>
/// <paramref name="ActorId"/> is the moderator who kicked or banned, null when the member left.
public sealed record CommunityMemberRemoved(string CommunityId, UserSummary User, MemberRemovalReason Reason, string? ActorId);

public static class MemberRemoval
{
    /// <summary>Deletes the membership (its role grants go with it) and, if there was one, raises <see cref="CommunityMemberRemoved"/>.</summary>
    public static async Task<bool> RemoveAsync(
        VoxoraDbContext db, DomainEvents events, string communityId, UserSummary user, MemberRemovalReason reason, string? actorId, CancellationToken ct)
    {
        var removed = await db.Members.Where(m => m.CommunityId == communityId && m.UserId == user.Id).ExecuteDeleteAsync(ct);
        if (removed == 0)
        {
            return false;
        }

        await events.PublishAsync(new CommunityMemberRemoved(communityId, user, reason, actorId));
        return true;
    }
}

/// <summary>
/// The gateway's side of a removal: the user's live connections stop receiving the community at once, the other
/// members get COMMUNITY_MEMBER_REMOVE, and the removed user gets the same COMMUNITY_MEMBER_REMOVE followed by
/// COMMUNITY_DELETE so their client drops the community, whichever way they were removed.
/// </summary>
public sealed class MemberRemovedGateway(GatewayHub hub) : IDomainEventHandler<CommunityMemberRemoved>
{
    public Task HandleAsync(CommunityMemberRemoved removal, CancellationToken ct)
    {
        var (communityId, user, _, _) = removal;
        hub.LeaveCommunity(user.Id, communityId);
        var payload = new MemberRemoved(communityId, user);
        hub.Publish(GatewayEvents.CommunityMemberRemove, payload, VoxoraJsonContext.Default.MemberRemoved, Audience.Community(communityId));
        hub.Publish(GatewayEvents.CommunityMemberRemove, payload, VoxoraJsonContext.Default.MemberRemoved, Audience.User(user.Id));
        hub.Publish(GatewayEvents.CommunityDelete, new Deleted(communityId), VoxoraJsonContext.Default.Deleted, Audience.User(user.Id));
        return Task.CompletedTask;
    }
}
