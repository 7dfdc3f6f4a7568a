using Voxora.Protocol;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Communities;

/// <summary>
/// Domain event: the community row was deleted (its members, roles and channels went with it) and the deletion is
/// saved. Subscribers forget its caches, tell its members and stop routing it, end voice connections in it, and audit
/// it (the audit log has no foreign key to communities: its entries, ending with this one, stay).
/// <paramref name="ActorId"/> deleted it; <paramref name="Name"/> is the name it had, <paramref name="IconHash"/> its icon's.
/// </summary>
public sealed record CommunityDeleted(string CommunityId, string ActorId, string Name, string? IconHash);

public enum MemberAddedVia
{
    Created,
    Invite,
}

/// <summary>
/// Domain event: a membership row was added (the creator of a new community, or an invite accepted) and is saved.
/// <paramref name="Community"/> is the community as the joiner sees it, which their client receives whole.
/// </summary>
public sealed record CommunityMemberAdded(Community Community, UserSummary User, DateTimeOffset JoinedAt, MemberAddedVia Via);

/// <summary>
/// Domain event: <paramref name="ActorId"/> saved the community's name or description; <paramref name="Community"/> is its
/// shared form (no per-member parts), <paramref name="Previous"/> the same as it was before.
/// </summary>
public sealed record CommunityUpdated(Community Community, Community Previous, string ActorId);

/// <summary>
/// The gateway's side of a community's life: a joiner's live connections start receiving the community, the other
/// members learn of an invited joiner (COMMUNITY_MEMBER_ADD) and every connection of the joiner gets COMMUNITY_CREATE;
/// a deleted community is announced to its members (COMMUNITY_DELETE) and then routed to nobody; an edit goes to
/// every member (COMMUNITY_UPDATE).
/// </summary>
public sealed class CommunityGateway(GatewayHub hub) :
    IDomainEventHandler<CommunityMemberAdded>, IDomainEventHandler<CommunityDeleted>, IDomainEventHandler<CommunityUpdated>
{
    public Task HandleAsync(CommunityUpdated updated, CancellationToken ct)
    {
        var community = updated.Community;
        hub.Publish(GatewayEvents.CommunityUpdate, community, VoxoraJsonContext.Default.Community, Audience.Community(community.Id));
        return Task.CompletedTask;
    }

    public Task HandleAsync(CommunityMemberAdded added, CancellationToken ct)
    {
        var (community, user, joinedAt, via) = added;
        hub.JoinCommunity(user.Id, community.Id);
        if (via == MemberAddedVia.Invite)
        {
            hub.Publish(GatewayEvents.CommunityMemberAdd, new Member(community.Id, user, joinedAt), VoxoraJsonContext.Default.Member, Audience.Community(community.Id));
        }

        hub.Publish(GatewayEvents.CommunityCreate, community, VoxoraJsonContext.Default.Community, Audience.User(user.Id));
        return Task.CompletedTask;
    }

    public Task HandleAsync(CommunityDeleted deleted, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.CommunityDelete, new Deleted(deleted.CommunityId), VoxoraJsonContext.Default.Deleted, Audience.Community(deleted.CommunityId));
        hub.RemoveCommunity(deleted.CommunityId);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The audit log's side of a community, subscribed last: an edit records what changed (nothing when nothing did); the
/// deletion is the chain's final entry.
/// </summary>
public sealed class CommunityAudit(Audit.AuditLog audit) : IDomainEventHandler<CommunityDeleted>, IDomainEventHandler<CommunityUpdated>
{
    public async Task HandleAsync(CommunityUpdated updated, CancellationToken ct)
    {
        var (community, previous) = (updated.Community, updated.Previous);
        var diff = Audit.AuditLog.Diff(
            ("name", previous.Name, community.Name),
            ("description", previous.Description, community.Description),
            ("message_retention_days", previous.MessageRetentionDays, community.MessageRetentionDays));
        if (diff.Count > 0)
        {
            await audit.AppendAsync(community.Id, updated.ActorId, Audit.AuditActions.CommunityUpdate, "community", community.Id, diff);
        }
    }

    public Task HandleAsync(CommunityDeleted deleted, CancellationToken ct) =>
        audit.AppendAsync(deleted.CommunityId, deleted.ActorId, Audit.AuditActions.CommunityDelete, "community", deleted.CommunityId,
            new System.Text.Json.Nodes.JsonObject { ["name"] = deleted.Name });
}
