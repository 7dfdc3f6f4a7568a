using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Threads;

/// <summary>
/// Archives threads inactive longer than their auto-archive duration, every <see cref="ThreadsOptions.SweepPeriod"/>.
/// Every node of a cluster may run it: each thread is archived by a conditional update (still active, still due), so
/// exactly one node wins it and only that node announces THREAD_UPDATE; running a sweep twice changes nothing.
/// Its clock is the keyed <see cref="TimeProvider"/> <see cref="ClockKey"/> (the server's clock unless a test moves it).
/// </summary>
public sealed class ThreadSweeper(
    IServiceScopeFactory scopes, DomainEvents events, ThreadsOptions options,
    [FromKeyedServices(ThreadSweeper.ClockKey)] TimeProvider clock, ILogger<ThreadSweeper> logger) : BackgroundService
{
    public const string ClockKey = "threads";

    /// <summary>At most this many threads per pass; the next pass takes the rest.</summary>
    public const int BatchMax = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database was unreachable for a moment: the next pass tries again.
                logger.LogWarning(ex, "Thread auto-archive sweep failed");
            }

            try
            {
                await Task.Delay(options.SweepPeriod, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: archives the threads due now and announces each. Returns how many this node archived.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = clock.StoredUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<ThreadStore>();
        var due = await db.Threads.AsNoTracking()
            .Where(t => !t.Archived && t.ArchiveDueAt <= now)
            .OrderBy(t => t.ArchiveDueAt)
            .Select(t => t.Id)
            .Take(BatchMax)
            .ToListAsync(ct);
        var archived = 0;
        foreach (var id in due)
        {
            // Still active and still due: a message posted since, or another node's sweep, makes this update nothing.
            var won = await db.Threads.Where(t => t.Id == id && !t.Archived && t.ArchiveDueAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Archived, true).SetProperty(t => t.ArchivedAt, now), ct);
            if (won == 1 && await store.FindAsync(id, null, ct) is { } thread)
            {
                archived++;
                await events.PublishAsync(new ThreadUpdated(thread, null));
            }
        }

        return archived;
    }
}
