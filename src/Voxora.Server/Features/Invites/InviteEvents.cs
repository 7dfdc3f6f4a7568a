using Voxora.Protocol;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Invites;

/// <summary>Domain event: an invite was created and saved by <paramref name="InviterId"/>.</summary>
public sealed record InviteCreated(Invite Invite, string InviterId);

/// <summary>Domain event: an invite was revoked (the first revocation only); <paramref name="InviterId"/> is its creator, if their account still exists.</summary>
public sealed record InviteRevoked(string CommunityId, string Code, string? InviterId);

/// <summary>
/// The gateway's side of invites. Invite events go to who may see the invite list (MANAGE_COMMUNITY) and to the
/// invite's creator: an invite code is a key to the community, so members who cannot list invites must not learn
/// them from the gateway either.
/// </summary>
public sealed class InvitesGateway(GatewayHub hub, PermissionCache permissions, TimeProvider clock) :
    IDomainEventHandler<InviteCreated>, IDomainEventHandler<InviteRevoked>
{
    public async Task HandleAsync(InviteCreated created, CancellationToken ct)
    {
        var invite = created.Invite;
        if (await AudienceAsync(invite.CommunityId, created.InviterId, ct) is { } audience)
        {
            hub.Publish(GatewayEvents.InviteCreate, invite, VoxoraJsonContext.Default.Invite, audience);
        }
    }

    public async Task HandleAsync(InviteRevoked revoked, CancellationToken ct)
    {
        if (await AudienceAsync(revoked.CommunityId, revoked.InviterId, ct) is { } audience)
        {
            hub.Publish(GatewayEvents.InviteDelete, new InviteDeleted(revoked.Code, revoked.CommunityId), VoxoraJsonContext.Default.InviteDeleted, audience);
        }
    }

    /// <summary>The online members who may list invites, and the creator; null when the community is gone.</summary>
    private async Task<Audience?> AudienceAsync(string communityId, string? inviterId, CancellationToken ct)
    {
        var snapshot = await permissions.GetAsync(communityId, ct);
        if (snapshot is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var users = hub.OnlineMembers(communityId)
            .Where(u => u == inviterId || PermissionResolver.Has(snapshot.Base(u, now), Permission.ManageCommunity))
            .ToList();
        return Audience.Users(users);
    }
}
