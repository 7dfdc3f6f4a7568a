using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Pod;

/// <summary>Domain event: <paramref name="ActorId"/> created a pod role and it is saved.</summary>
public sealed record PodRoleCreated(PodRole Role, string ActorId);

/// <summary>Domain event: <paramref name="ActorId"/> saved a pod role's name, permissions or position; <paramref name="Previous"/> is the role as it was.</summary>
public sealed record PodRoleUpdated(PodRole Role, PodRole Previous, string ActorId);

/// <summary>Domain event: <paramref name="ActorId"/> deleted a pod role (its grants went with it); <paramref name="Role"/> is the role as it was.</summary>
public sealed record PodRoleDeleted(PodRole Role, string ActorId);

/// <summary>Domain event: <paramref name="ActorId"/> granted (<paramref name="Granted"/>) or took a pod role from <paramref name="UserId"/>; raised only when a row changed.</summary>
public sealed record PodMemberRolesChanged(string UserId, string RoleId, bool Granted, string ActorId);

/// <summary>Domain event: <paramref name="ActorId"/> banned <paramref name="UserId"/> from the pod (the ban row is saved; ending their sessions follows).</summary>
public sealed record PodMemberBanned(string UserId, string? Reason, string ActorId);

/// <summary>Domain event: <paramref name="ActorId"/> lifted <paramref name="UserId"/>'s pod ban.</summary>
public sealed record PodMemberUnbanned(string UserId, string ActorId);

/// <summary>Domain event: the setup wizard created the pod's owner (<paramref name="OwnerId"/>) and saved <paramref name="Settings"/>.</summary>
public sealed record PodSetupCompleted(PodSettings Settings, string OwnerId);

/// <summary>Domain event: <paramref name="ActorId"/> saved the pod's settings; <paramref name="Previous"/> is how they were.</summary>
public sealed record PodSettingsUpdated(PodSettings Settings, PodSettings Previous, string ActorId);

/// <summary>Domain event: <paramref name="ActorId"/> ended <paramref name="UserId"/>'s login sessions <paramref name="SessionIds"/> from <c>/admin</c>; raised only when some ended.</summary>
public sealed record PodSessionsEnded(string UserId, IReadOnlyList<string> SessionIds, string ActorId);

/// <summary>
/// The audit log's side of the pod: pod roles, pod role grants and pod bans, in the pod's own chain
/// (<see cref="AuditLog.PodScope"/>), exactly as the endpoints used to write them.
/// </summary>
public sealed class PodAudit(AuditLog audit) :
    IDomainEventHandler<PodRoleCreated>, IDomainEventHandler<PodRoleUpdated>, IDomainEventHandler<PodRoleDeleted>,
    IDomainEventHandler<PodMemberRolesChanged>, IDomainEventHandler<PodMemberBanned>, IDomainEventHandler<PodMemberUnbanned>,
    IDomainEventHandler<PodSetupCompleted>, IDomainEventHandler<PodSettingsUpdated>, IDomainEventHandler<PodSessionsEnded>
{
    public Task HandleAsync(PodSessionsEnded ended, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, ended.ActorId, AuditActions.PodSessionsEnd, "user", ended.UserId,
            new JsonObject { ["sessions"] = new JsonArray([.. ended.SessionIds.Select(id => (JsonNode?)id)]) });

    public Task HandleAsync(PodSetupCompleted setup, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, setup.OwnerId, AuditActions.PodSetup, "pod", null,
            new JsonObject { ["name"] = setup.Settings.Name, ["registration_mode"] = setup.Settings.RegistrationMode });

    public Task HandleAsync(PodSettingsUpdated updated, CancellationToken ct)
    {
        var (now, before) = (updated.Settings, updated.Previous);
        var diff = AuditLog.Diff(("name", before.Name, now.Name), ("description", before.Description, now.Description),
            ("registration_mode", before.RegistrationMode, now.RegistrationMode), ("max_upload_bytes", before.MaxUploadBytes, now.MaxUploadBytes));
        return audit.AppendAsync(AuditLog.PodScope, updated.ActorId, AuditActions.PodSettingsUpdate, "pod", null, diff);
    }

    public Task HandleAsync(PodRoleCreated created, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, created.ActorId, AuditActions.PodRoleCreate, "pod_role", created.Role.Id,
            new JsonObject { ["name"] = created.Role.Name, ["permissions"] = RolesEndpoints.Bits(created.Role.Permissions) });

    /// <summary>Recorded even when nothing changed, as the endpoint always did (an empty <c>changes</c>).</summary>
    public Task HandleAsync(PodRoleUpdated updated, CancellationToken ct)
    {
        var (role, previous) = (updated.Role, updated.Previous);
        var diff = AuditLog.Diff(("name", previous.Name, role.Name),
            ("permissions", RolesEndpoints.Bits(previous.Permissions), RolesEndpoints.Bits(role.Permissions)),
            ("position", previous.Position, role.Position), ("color", previous.Color, role.Color));
        return audit.AppendAsync(AuditLog.PodScope, updated.ActorId, AuditActions.PodRoleUpdate, "pod_role", role.Id, diff);
    }

    public Task HandleAsync(PodRoleDeleted deleted, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, deleted.ActorId, AuditActions.PodRoleDelete, "pod_role", deleted.Role.Id, new JsonObject { ["name"] = deleted.Role.Name });

    public Task HandleAsync(PodMemberRolesChanged changed, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, changed.ActorId, AuditActions.PodMemberRoleUpdate, "user", changed.UserId,
            new JsonObject { [changed.Granted ? "added" : "removed"] = new JsonArray(changed.RoleId) });

    public Task HandleAsync(PodMemberBanned banned, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, banned.ActorId, AuditActions.PodBan, "user", banned.UserId, null, banned.Reason);

    public Task HandleAsync(PodMemberUnbanned unbanned, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, unbanned.ActorId, AuditActions.PodUnban, "user", unbanned.UserId);
}
