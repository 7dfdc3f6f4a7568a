using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Roles;

/// <summary>Domain event: a role was created and saved by <paramref name="ActorId"/>.</summary>
public sealed record RoleCreated(Role Role, string ActorId) : ICommunityPermissionsChange
{
    public string CommunityId => Role.CommunityId;
}

/// <summary>
/// Domain event: a role's name, permissions, position or colour was saved by <paramref name="ActorId"/>;
/// <paramref name="Previous"/> is the role as it was before (the audit log records the difference).
/// </summary>
public sealed record RoleUpdated(Role Role, Role Previous, string ActorId) : ICommunityPermissionsChange
{
    public string CommunityId => Role.CommunityId;
}

/// <summary>
/// Domain event: <paramref name="ActorId"/> deleted a role, with its grants and its channel overrides;
/// <paramref name="Role"/> is the role as it was, <paramref name="OverridesRemovedFrom"/> the channels (ordered by id)
/// whose override for it went with it.
/// </summary>
public sealed record RoleDeleted(Role Role, string ActorId, IReadOnlyList<string> OverridesRemovedFrom) : ICommunityPermissionsChange
{
    public string CommunityId => Role.CommunityId;

    public string RoleId => Role.Id;
}

/// <summary>
/// Domain event: <paramref name="ActorId"/> granted (<paramref name="Granted"/>) or took <paramref name="RoleId"/> from a
/// member; <paramref name="Member"/> is the member as they are now. Raised only when a row changed.
/// </summary>
public sealed record MemberRolesChanged(Member Member, string ActorId, string RoleId, bool Granted) : ICommunityPermissionsChange
{
    public string CommunityId => Member.CommunityId;
}

/// <summary>The gateway's side of roles: every member of the community hears of roles and of members' roles.</summary>
public sealed class RolesGateway(GatewayHub hub) :
    IDomainEventHandler<RoleCreated>, IDomainEventHandler<RoleUpdated>, IDomainEventHandler<RoleDeleted>, IDomainEventHandler<MemberRolesChanged>
{
    public Task HandleAsync(RoleCreated created, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.CommunityRoleCreate, created.Role, VoxoraJsonContext.Default.Role, Audience.Community(created.CommunityId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(RoleUpdated updated, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.CommunityRoleUpdate, updated.Role, VoxoraJsonContext.Default.Role, Audience.Community(updated.CommunityId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(RoleDeleted deleted, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.CommunityRoleDelete, new Deleted(deleted.RoleId, deleted.CommunityId), VoxoraJsonContext.Default.Deleted,
            Audience.Community(deleted.CommunityId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(MemberRolesChanged changed, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.CommunityMemberUpdate, changed.Member, VoxoraJsonContext.Default.Member, Audience.Community(changed.CommunityId));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The audit log's side of roles, subscribed last: role creation, edits (only what changed), deletion (with the
/// overrides that went with it) and grants, recorded from the events exactly as the endpoints used to write them.
/// </summary>
public sealed class RolesAudit(AuditLog audit) :
    IDomainEventHandler<RoleCreated>, IDomainEventHandler<RoleUpdated>, IDomainEventHandler<RoleDeleted>, IDomainEventHandler<MemberRolesChanged>
{
    public Task HandleAsync(RoleCreated created, CancellationToken ct)
    {
        var role = created.Role;
        return audit.AppendAsync(role.CommunityId, created.ActorId, AuditActions.RoleCreate, "role", role.Id,
            new JsonObject { ["name"] = role.Name, ["permissions"] = RolesEndpoints.Bits(role.Permissions), ["position"] = role.Position });
    }

    public async Task HandleAsync(RoleUpdated updated, CancellationToken ct)
    {
        var (role, previous) = (updated.Role, updated.Previous);
        var diff = AuditLog.Diff(
            ("name", previous.Name, role.Name),
            ("permissions", RolesEndpoints.Bits(previous.Permissions), RolesEndpoints.Bits(role.Permissions)),
            ("position", previous.Position, role.Position),
            ("color", previous.Color, role.Color));
        if (diff.Count > 0)
        {
            await audit.AppendAsync(role.CommunityId, updated.ActorId, AuditActions.RoleUpdate, "role", role.Id, diff);
        }
    }

    public Task HandleAsync(RoleDeleted deleted, CancellationToken ct)
    {
        var role = deleted.Role;
        var details = new JsonObject { ["name"] = role.Name, ["permissions"] = RolesEndpoints.Bits(role.Permissions) };
        if (deleted.OverridesRemovedFrom.Count > 0)
        {
            details["overrides_removed_from"] = new JsonArray(deleted.OverridesRemovedFrom.Select(id => (JsonNode)id).ToArray());
        }

        return audit.AppendAsync(role.CommunityId, deleted.ActorId, AuditActions.RoleDelete, "role", role.Id, details);
    }

    public Task HandleAsync(MemberRolesChanged changed, CancellationToken ct) =>
        audit.AppendAsync(changed.CommunityId, changed.ActorId, AuditActions.MemberRoleUpdate, "user", changed.Member.User.Id,
            new JsonObject { [changed.Granted ? "added" : "removed"] = new JsonArray(changed.RoleId) });
}
