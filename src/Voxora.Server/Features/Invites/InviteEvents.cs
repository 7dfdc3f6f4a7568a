using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Audit;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Invites;

/// <summary>Domain event: an invite was created and saved by <paramref name="InviterId"/>.</summary>
public sealed record InviteCreated(Invite Invite, string InviterId);

/// <summary>
/// Domain event: <paramref name="ActorId"/> revoked an invite (the first revocation only); <paramref name="InviterId"/> is
/// its creator, if their account still exists.
/// </summary>
public sealed record InviteRevoked(string CommunityId, string Code, string? InviterId, string ActorId);

/// <summary>
/// The gateway's side of invites. Invite events go to who may see the invite list (MANAGE_COMMUNITY) and to the
/// invite's creator: an invite code is a key to the community, so members who cannot list invites must not learn
/// them from the gateway either.
/// </summary>
public sealed class InvitesGateway(GatewayHub hub) : IDomainEventHandler<InviteCreated>, IDomainEventHandler<InviteRevoked>
{
    public Task HandleAsync(InviteCreated created, CancellationToken ct)
    {
        var invite = created.Invite;
        hub.Publish(GatewayEvents.InviteCreate, invite, VoxoraJsonContext.Default.Invite, ManagersAnd(invite.CommunityId, created.InviterId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(InviteRevoked revoked, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.InviteDelete, new InviteDeleted(revoked.Code, revoked.CommunityId), VoxoraJsonContext.Default.InviteDeleted,
            ManagersAnd(revoked.CommunityId, revoked.InviterId));
        return Task.CompletedTask;
    }

    /// <summary>The members who may list invites (MANAGE_COMMUNITY), and the creator; each node picks its own sessions.</summary>
    private static Audience ManagersAnd(string communityId, string? inviterId) =>
        Audience.PermissionHolders(communityId, Permission.ManageCommunity, inviterId);
}

/// <summary>The audit log's side of invites, subscribed last: who created an invite (with its limits) and who revoked it.</summary>
public sealed class InvitesAudit(AuditLog audit) : IDomainEventHandler<InviteCreated>, IDomainEventHandler<InviteRevoked>
{
    public Task HandleAsync(InviteCreated created, CancellationToken ct)
    {
        var invite = created.Invite;
        return audit.AppendAsync(invite.CommunityId, created.InviterId, AuditActions.InviteCreate, "invite", invite.Code,
            new JsonObject { ["max_uses"] = invite.MaxUses, ["max_age_seconds"] = invite.MaxAgeSeconds });
    }

    public Task HandleAsync(InviteRevoked revoked, CancellationToken ct) =>
        audit.AppendAsync(revoked.CommunityId, revoked.ActorId, AuditActions.InviteDelete, "invite", revoked.Code);
}
