using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// A domain event whose change can alter who may see or do what in <see cref="CommunityId"/> (roles, member roles,
/// overrides, channels, timeouts). Registered with <see cref="PermissionEventRegistration.AddPermissionsChange{TEvent, TGateway}"/>.
/// </summary>
public interface ICommunityPermissionsChange
{
    string CommunityId { get; }
}

/// <summary>
/// Domain event: the community's permission snapshot was rebuilt after a change and the gateway has told everyone of
/// it. Raised by <see cref="PermissionsChangedRelay{TEvent}"/>; voice subscribes (connections that lost access end,
/// VOICE_SPEAK is applied, rooms follow the channel's bitrate) and reads the new snapshot from the cache.
/// </summary>
public sealed record PermissionsChanged(string CommunityId);

/// <summary>
/// First subscriber of every permission-changing event: the snapshot is rebuilt and live connections are told about
/// channels they lost or gained, so the feature's own dispatch that follows is filtered with the new permissions.
/// </summary>
public sealed class PermissionRefresh<TEvent>(PermissionChanges changes) : IDomainEventHandler<TEvent>
    where TEvent : class, ICommunityPermissionsChange
{
    public Task HandleAsync(TEvent domainEvent, CancellationToken ct) => changes.ChangedAsync(domainEvent.CommunityId, ct);
}

/// <summary>
/// Runs after the feature's gateway subscriber: raises <see cref="PermissionsChanged"/> so the subsystems that hold
/// state derived from permissions (voice) re-check it, after clients have heard of the change itself.
/// </summary>
public sealed class PermissionsChangedRelay<TEvent>(DomainEvents events) : IDomainEventHandler<TEvent>
    where TEvent : class, ICommunityPermissionsChange
{
    public Task HandleAsync(TEvent domainEvent, CancellationToken ct) => events.PublishAsync(new PermissionsChanged(domainEvent.CommunityId));
}

public static class PermissionEventRegistration
{
    /// <summary>
    /// Subscribes a permission-changing event in the fixed order: snapshot rebuilt (<see cref="PermissionRefresh{TEvent}"/>),
    /// then the feature's gateway subscriber, then <see cref="PermissionsChanged"/> for voice. Add the audit subscriber, if
    /// any, after this.
    /// </summary>
    public static IServiceCollection AddPermissionsChange<TEvent, TGateway>(this IServiceCollection services)
        where TEvent : class, ICommunityPermissionsChange
        where TGateway : class, IDomainEventHandler<TEvent>
    {
        services.AddSingleton<PermissionRefresh<TEvent>>();
        services.AddSingleton<PermissionsChangedRelay<TEvent>>();
        return services
            .AddDomainEventHandler<TEvent, PermissionRefresh<TEvent>>()
            .AddDomainEventHandler<TEvent, TGateway>()
            .AddDomainEventHandler<TEvent, PermissionsChangedRelay<TEvent>>();
    }
}
