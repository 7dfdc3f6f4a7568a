using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.Storage;

namespace Voxora.Server.Features.Attachments;

/// <summary>
/// Deletes attachments with their files: a deleted message's (single, bulk, or purged with a ban, through their domain
/// events) and, for the sweeper, orphans. Each row is first marked <see cref="AttachmentStatus.Deleting"/> with a conditional
/// update (so two nodes never both act on it, and a message cannot claim it meanwhile), then its files go, then the row.
/// A node stopping half-way leaves a deleting row, which the next sweep finishes.
/// </summary>
public sealed class AttachmentRemoval(IServiceScopeFactory scopes, IFileStorage storage, ILogger<AttachmentRemoval> logger) :
    IDomainEventHandler<MessageRemoved>, IDomainEventHandler<MessagesBulkDeleted>, IDomainEventHandler<MessagesPurged>
{
    public Task HandleAsync(MessageRemoved deleted, CancellationToken ct) => OfMessagesAsync([deleted.MessageId], ct);

    public Task HandleAsync(MessagesBulkDeleted deleted, CancellationToken ct) => OfMessagesAsync(deleted.MessageIds, ct);

    public Task HandleAsync(MessagesPurged purged, CancellationToken ct) => OfMessagesAsync(purged.MessageIds, ct);

    private async Task OfMessagesAsync(IReadOnlyList<string> messageIds, CancellationToken ct)
    {
        var ids = new List<long>(messageIds.Count);
        foreach (var text in messageIds)
        {
            if (Snowflake.TryParse(text, out var id))
            {
                ids.Add(id);
            }
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var rows = await db.Attachments.AsNoTracking()
            .Where(a => a.MessageId != null && ids.Contains(a.MessageId.Value))
            .Select(a => new Candidate(a.Id, a.Status))
            .ToListAsync(ct);
        await RemoveAsync(db, rows, ct);
    }

    public sealed record Candidate(string Id, string Status);

    /// <summary>Removes these attachments (each only if it is still in the state it was seen in); returns how many this call removed.</summary>
    public async Task<int> RemoveAsync(VoxoraDbContext db, IReadOnlyList<Candidate> candidates, CancellationToken ct)
    {
        var removed = 0;
        foreach (var candidate in candidates)
        {
            if (candidate.Status != AttachmentStatus.Deleting)
            {
                var marked = await db.Attachments
                    .Where(a => a.Id == candidate.Id && a.Status == candidate.Status)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AttachmentStatus.Deleting), ct);
                if (marked == 0)
                {
                    continue;
                }
            }

            try
            {
                await storage.DeleteAsync(StorageKeys.Original(candidate.Id), ct);
                await storage.DeleteAsync(StorageKeys.Thumbnail(candidate.Id), ct);
            }
            catch (Exception e) when (e is IOException or Amazon.Runtime.AmazonServiceException or HttpRequestException)
            {
                // The row stays (deleting) and the next sweep tries again.
                logger.LogWarning(e, "Could not delete the files of attachment {AttachmentId}; the sweeper will retry", candidate.Id);
                continue;
            }

            removed += await db.Attachments.Where(a => a.Id == candidate.Id).ExecuteDeleteAsync(ct);
        }

        return removed;
    }
}

/// <summary>
/// Every <see cref="MediaOptions.SweepSeconds"/>: removes uploads never sent with a message once they are
/// <see cref="MediaOptions.OrphanSeconds"/> old, finishes interrupted deletes, and removes the files of messages that are gone
/// without an event (deleted with their channel or community). Safe on every node of a cluster at once: each removal is a
/// conditional update that only one node wins.
/// </summary>
public sealed class AttachmentSweeper(IServiceScopeFactory scopes, AttachmentRemoval removal, MediaOptions options, TimeProvider clock, ILogger<AttachmentSweeper> logger)
    : BackgroundService
{
    /// <summary>A message's attachments are claimed just before it is written; give that write this long before calling them orphans.</summary>
    private static readonly TimeSpan AttachedGrace = TimeSpan.FromMinutes(10);

    private const int Batch = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepPeriod, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Attachment sweep failed; next one in {Seconds} s", options.SweepSeconds);
            }
        }
    }

    /// <summary>One sweep; returns how many attachments it removed.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var now = clock.StoredUtcNow();
        var orphanCutoff = now - options.OrphanAge;
        var attachedCutoff = now - AttachedGrace;
        var candidates = await db.Attachments.AsNoTracking()
            .Where(a => (a.MessageId == null && a.Status != AttachmentStatus.Attached && a.CreatedAt < orphanCutoff)
                || (a.Status == AttachmentStatus.Deleting && a.CreatedAt < attachedCutoff)
                || (a.Status == AttachmentStatus.Attached && a.CreatedAt < attachedCutoff && !db.Messages.Any(m => m.Id == a.MessageId)))
            .OrderBy(a => a.CreatedAt)
            .Take(Batch)
            .Select(a => new AttachmentRemoval.Candidate(a.Id, a.Status))
            .ToListAsync(ct);
        return await removal.RemoveAsync(db, candidates, ct);
    }
}
