using Voxora.Protocol;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Roles;

/// <summary>Domain event: a role was created and saved.</summary>
public sealed record RoleCreated(Role Role) : ICommunityPermissionsChange
{
    public string CommunityId => Role.CommunityId;
}

/// <summary>Domain event: a role's name, permissions, position or colour was saved.</summary>
public sealed record RoleUpdated(Role Role) : ICommunityPermissionsChange
{
    public string CommunityId => Role.CommunityId;
}

/// <summary>Domain event: a role was deleted, with its grants and its channel overrides.</summary>
public sealed record RoleDeleted(string CommunityId, string RoleId) : ICommunityPermissionsChange;

/// <summary>Domain event: a role was granted to or taken from a member; <paramref name="Member"/> is the member as they are now.</summary>
public sealed record MemberRolesChanged(Member Member) : ICommunityPermissionsChange
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
