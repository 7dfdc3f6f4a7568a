using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Answers "is this login session still active?" for every authenticated request, so logout, session
/// revocation and password changes cut access tokens off at once instead of when they expire.
/// Answers are cached briefly; a revocation on this node drops the cached answer immediately.
/// </summary>
public sealed class SessionValidator(IServiceScopeFactory scopes, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public async ValueTask<bool> IsActiveAsync(string sessionId, CancellationToken ct)
    {
        if (cache.TryGetValue(sessionId, out bool active))
        {
            return active;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var now = clock.GetUtcNow();
        active = await db.Sessions.AsNoTracking().AnyAsync(s => s.Id == sessionId && s.RevokedAt == null && s.ExpiresAt > now, ct);
        cache.Set(sessionId, active, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CacheFor });
        return active;
    }

    public void Forget(string sessionId) => cache.Remove(sessionId);

    public void Dispose() => cache.Dispose();
}
