using System.Collections.Concurrent;

namespace Voxora.Server.Infrastructure.Events;

/// <summary>
/// Reacts to one kind of domain event (a change that was saved). Handlers are singletons resolved from the
/// root container: they never see the request's scope or DbContext (open their own scope if they need the
/// database), so the same events can later arrive from another node over a shared bus.
/// </summary>
public interface IDomainEventHandler<in TEvent>
    where TEvent : class
{
    Task HandleAsync(TEvent domainEvent, CancellationToken ct);
}

/// <summary>
/// The in-process publisher: a feature saves its change, then calls <see cref="PublishAsync{TEvent}"/> once, and
/// every subscriber (caches, gateway, voice, other features) reacts, so no endpoint sequences side effects by hand.
/// Handlers run one after another in registration order and all have run when the call returns. The change is
/// already committed, so a handler that throws is logged and the others still run; the request does not fail,
/// and a client hanging up does not stop the handlers half-way (they get no request cancellation).
/// </summary>
public sealed class DomainEvents(IServiceProvider services, ILogger<DomainEvents> logger)
{
    private readonly ConcurrentDictionary<Type, object> handlersByEvent = new();

    public Task PublishAsync<TEvent>(TEvent domainEvent)
        where TEvent : class
    {
        // Every sent message raises an event, so while handlers finish synchronously (the gateway ones) a publish
        // allocates nothing: no state machine, no enumerator, no handler list. The first handler that really awaits
        // hands the rest to the asynchronous path.
        var handlers = HandlersOf<TEvent>();
        for (var i = 0; i < handlers.Length; i++)
        {
            Task pending;
            try
            {
                pending = handlers[i].HandleAsync(domainEvent, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogFailure(handlers[i], domainEvent, e);
                continue;
            }

            if (!pending.IsCompletedSuccessfully)
            {
                return ContinueAsync(handlers, i, pending, domainEvent);
            }
        }

        return Task.CompletedTask;
    }

    private async Task ContinueAsync<TEvent>(IDomainEventHandler<TEvent>[] handlers, int running, Task pending, TEvent domainEvent)
        where TEvent : class
    {
        try
        {
            await pending;
        }
        catch (Exception e)
        {
            LogFailure(handlers[running], domainEvent, e);
        }

        for (var i = running + 1; i < handlers.Length; i++)
        {
            try
            {
                await handlers[i].HandleAsync(domainEvent, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogFailure(handlers[i], domainEvent, e);
            }
        }
    }

    /// <summary>Handlers are singletons, so each event's list is resolved once and kept (the container builds a new array per call).</summary>
    private IDomainEventHandler<TEvent>[] HandlersOf<TEvent>()
        where TEvent : class
    {
        if (!handlersByEvent.TryGetValue(typeof(TEvent), out var cached))
        {
            cached = handlersByEvent.GetOrAdd(typeof(TEvent), services.GetServices<IDomainEventHandler<TEvent>>().ToArray());
        }

        return (IDomainEventHandler<TEvent>[])cached;
    }

    private void LogFailure(object handler, object domainEvent, Exception e) =>
        logger.LogError(e, "Domain event handler {Handler} failed on {Event}", handler.GetType().Name, domainEvent);
}

public static class DomainEventRegistration
{
    /// <summary>Subscribes a singleton service to an event; handlers of one event run in the order they were added.</summary>
    public static IServiceCollection AddDomainEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : class
        where THandler : class, IDomainEventHandler<TEvent> =>
        services.AddSingleton<IDomainEventHandler<TEvent>>(sp => sp.GetRequiredService<THandler>());
}
