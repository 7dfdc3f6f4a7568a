using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Notifications;

/// <summary>Ended login sessions take their push subscriptions with them: the browser that was signed out gets no more pushes.</summary>
public sealed class PushSessionCleanup(IServiceScopeFactory scopes, ILogger<PushSessionCleanup> logger) : IDomainEventHandler<LoginSessionsEnded>
{
    public async Task HandleAsync(LoginSessionsEnded ended, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var ids = ended.SessionIds;
        var deleted = await db.Set<PushSubscriptionEntity>()
            .Where(s => s.UserId == ended.UserId && s.SessionId != null && ids.Contains(s.SessionId))
            .ExecuteDeleteAsync(ct);
        if (deleted > 0)
        {
            logger.LogInformation("Deleted {Count} push subscriptions of {Sessions} ended sessions of {UserId}", deleted, ids.Count, ended.UserId);
        }
    }
}
