using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Voxora.Server.Data;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Retention;

/// <summary>
/// Per-community message retention (seed 004 AUDIT-06). Every <see cref="RetentionOptions.SweepSeconds"/>: for each
/// community with <c>message_retention_days</c> set, deletes its messages older than that, channel by channel, at most
/// <see cref="RetentionOptions.Batch"/> per statement (no long transaction; the search index follows through its delete
/// trigger on SQLite and the generated column on PostgreSQL). Each batch raises <see cref="MessagesPurged"/>, so clients
/// get MESSAGE_DELETE_BULK, attachment rows and their stored files go, and threads recount; one audit entry per
/// community per sweep (actor: none, the system) records the count. Safe on every node of a cluster at once: a node
/// first claims a community with a conditional update of <c>retention_swept_at</c>, which only one node wins per period.
/// </summary>
public sealed class MessageRetentionSweeper(
    IServiceScopeFactory scopes, DomainEvents events, AuditLog audit, RetentionOptions options,
    [FromKeyedServices(MessageRetentionSweeper.ClockKey)] TimeProvider clock, ILogger<MessageRetentionSweeper> logger) : BackgroundService
{
    public const string ClockKey = "retention";

    public static IServiceCollection AddRetention(IServiceCollection services, RetentionOptions options)
    {
        services.AddSingleton(options);
        services.TryAddKeyedSingleton(ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<MessageRetentionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageRetentionSweeper>());
        return services;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.SweepPeriod, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database was unreachable for a moment: the next pass tries again (the claim lapses after a period).
                logger.LogWarning(ex, "Message retention sweep failed; next one in {Seconds} s", options.SweepSeconds);
            }
        }
    }

    /// <summary>One pass over the communities due now; returns how many messages this node deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = clock.StoredUtcNow();
        // A community swept less than half a period ago (by this node or another) waits for the next pass.
        var claimedBefore = now - options.SweepPeriod / 2;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var due = await db.Communities.AsNoTracking()
            .Where(c => c.MessageRetentionDays != null && (c.RetentionSweptAt == null || c.RetentionSweptAt < claimedBefore))
            .Select(c => new { c.Id, c.MessageRetentionDays, c.RetentionSweptAt })
            .ToListAsync(ct);

        var total = 0;
        foreach (var community in due)
        {
            var seen = community.RetentionSweptAt;
            var won = await db.Communities
                .Where(c => c.Id == community.Id && c.MessageRetentionDays != null && c.RetentionSweptAt == seen)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.RetentionSweptAt, now), ct);
            if (won == 1)
            {
                total += await SweepCommunityAsync(db, community.Id, community.MessageRetentionDays!.Value, now, ct);
            }
        }

        return total;
    }

    private async Task<int> SweepCommunityAsync(VoxoraDbContext db, string communityId, int days, DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now.AddDays(-days);
        // Snowflakes carry their creation time: every message before the cutoff has a smaller id than this one.
        var before = Snowflake.FirstAt(cutoff);
        var channels = await db.Channels.AsNoTracking().Where(c => c.CommunityId == communityId).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
        var deleted = 0;
        foreach (var channelId in channels)
        {
            while (true)
            {
                var ids = await db.Messages.AsNoTracking()
                    .Where(m => m.ChannelId == channelId && m.Id < before)
                    .OrderBy(m => m.Id)
                    .Take(options.Batch)
                    .Select(m => m.Id)
                    .ToListAsync(ct);
                if (ids.Count == 0)
                {
                    break;
                }

                // Reactions and pins go with the messages (ON DELETE CASCADE).
                deleted += await db.Messages.Where(m => m.ChannelId == channelId && ids.Contains(m.Id)).ExecuteDeleteAsync(ct);
                await events.PublishAsync(new MessagesPurged(communityId, channelId, ids.Select(Snowflake.Format).ToList()));
                if (ids.Count < options.Batch)
                {
                    break;
                }
            }
        }

        if (deleted > 0)
        {
            logger.LogInformation("Retention deleted {Count} messages older than {Days} days in community {CommunityId}", deleted, days, communityId);
            await audit.AppendAsync(communityId, null, AuditActions.MessageRetentionDelete, "community", communityId,
                new JsonObject { ["count"] = deleted, ["days"] = days, ["before"] = cutoff.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        }

        return deleted;
    }
}
