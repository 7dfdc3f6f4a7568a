using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Answers "is this login session still active?" for every authenticated request, so logout, session
/// revocation and password changes cut access tokens off at once instead of when they expire.
/// Answers are cached briefly; ending a session drops the cached answer on this node at once and on every other
/// node when the bus brings the message (milliseconds), so the next request with its token is refused everywhere.
/// </summary>
/// <remarks>
/// A lookup that read the database before the revocation committed must not install its "active" answer after the
/// session was forgotten: every Forget bumps an epoch, and a lookup only caches what it read if the epoch it
/// started under is still current (the message is published after the commit, so a read that starts after it sees
/// the revocation).
/// </remarks>
public sealed class SessionValidator : IDisposable
{
    private const string ForgetKind = "auth.session-ended";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider clock;
    private readonly ClusterBus bus;
    private readonly Lock gate = new();
    private long epoch;

    public SessionValidator(IServiceScopeFactory scopes, TimeProvider clock, ClusterBus bus)
    {
        this.scopes = scopes;
        this.clock = clock;
        this.bus = bus;
        bus.Subscribe(ForgetKind, OnClusterForget);
        // Sessions ended on other nodes while Redis was unreachable were never announced here: drop every answer.
        bus.Reconnected += () =>
        {
            lock (gate)
            {
                epoch++;
                cache.Clear();
            }
        };
    }

    public async ValueTask<bool> IsActiveAsync(string sessionId, CancellationToken ct)
    {
        if (cache.TryGetValue(sessionId, out bool active))
        {
            return active;
        }

        var startedUnder = Interlocked.Read(ref epoch);
        // While Redis is unreachable other nodes cannot tell this one that a session ended: ask the database every
        // time, so a revocation still takes effect at once (at the cost of one query per request until Redis returns).
        var cacheable = bus.IsConnected;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var now = clock.GetUtcNow();
        active = await db.Sessions.AsNoTracking().AnyAsync(s => s.Id == sessionId && s.RevokedAt == null && s.ExpiresAt > now, ct);
        lock (gate)
        {
            if (epoch == startedUnder && cacheable)
            {
                cache.Set(sessionId, active, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CacheFor });
            }
        }

        return active;
    }

    /// <summary>The session ended (its revocation is committed): forgotten here now and on every node.</summary>
    public void Forget(string sessionId)
    {
        ForgetHere(sessionId);
        if (bus.IsClustered)
        {
            var body = new BusWriter();
            body.String(sessionId);
            bus.Publish(ForgetKind, body.WrittenSpan);
        }
    }

    private void OnClusterForget(ClusterMessage message)
    {
        if (!message.IsFrom(bus))
        {
            ForgetHere(new BusReader(message.Body.Span).String()!);
        }
    }

    private void ForgetHere(string sessionId)
    {
        lock (gate)
        {
            epoch++;
            cache.Remove(sessionId);
        }
    }

    public void Dispose() => cache.Dispose();
}
