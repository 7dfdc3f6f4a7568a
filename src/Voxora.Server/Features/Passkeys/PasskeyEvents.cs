using System.Text.Json.Nodes;
using Voxora.Server.Features.Audit;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Passkeys;

/// <summary>Domain event: <paramref name="UserId"/> registered the passkey <paramref name="PasskeyId"/> and it is saved.</summary>
public sealed record PasskeyAdded(string UserId, string PasskeyId, string Name);

/// <summary>Domain event: <paramref name="UserId"/> removed the passkey <paramref name="PasskeyId"/>.</summary>
public sealed record PasskeyRemoved(string UserId, string PasskeyId, string Name);

/// <summary>Passkey changes in the pod's audit chain (<see cref="AuditLog.PodScope"/>): a new way into an account is worth a record.</summary>
public sealed class PasskeyAudit(AuditLog audit) : IDomainEventHandler<PasskeyAdded>, IDomainEventHandler<PasskeyRemoved>
{
    public Task HandleAsync(PasskeyAdded added, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, added.UserId, AuditActions.PasskeyAdd, "passkey", added.PasskeyId, new JsonObject { ["name"] = added.Name });

    public Task HandleAsync(PasskeyRemoved removed, CancellationToken ct) =>
        audit.AppendAsync(AuditLog.PodScope, removed.UserId, AuditActions.PasskeyRemove, "passkey", removed.PasskeyId, new JsonObject { ["name"] = removed.Name });
}
