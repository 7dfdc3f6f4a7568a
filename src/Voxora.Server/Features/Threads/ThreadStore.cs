using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Threads;

/// <summary>Thread reads, projected to the wire type in one query each (name from the channel row, member count and the viewer's membership as subqueries).</summary>
public sealed class ThreadStore(VoxoraDbContext db)
{
    public const int ListMax = 100;

    private sealed record Row(string Id, string CommunityId, string ParentChannelId, long ParentMessageId, string OwnerId, string Name,
        bool Archived, int AutoArchiveSeconds, DateTimeOffset? ArchivedAt, int MessageCount, int MemberCount, DateTimeOffset? LastMessageAt,
        DateTimeOffset LastActivityAt, DateTimeOffset CreatedAt, bool Joined);

    private Task<List<Row>> ToRowsAsync(IQueryable<ThreadEntity> query, string? viewerId, CancellationToken ct)
    {
        var me = viewerId ?? "";
        return query.Select(t => new Row(t.Id, t.CommunityId, t.ParentChannelId, t.ParentMessageId, t.OwnerId, t.Channel!.Name,
                t.Archived, t.AutoArchiveSeconds, t.ArchivedAt, t.MessageCount, db.ThreadMembers.Count(m => m.ThreadId == t.Id), t.LastMessageAt,
                t.LastActivityAt, t.CreatedAt, db.ThreadMembers.Any(m => m.ThreadId == t.Id && m.UserId == me)))
            .ToListAsync(ct);
    }

    private static ThreadChannel ToWire(Row r, bool withJoined) =>
        new(r.Id, r.CommunityId, r.ParentChannelId, Snowflake.Format(r.ParentMessageId), r.OwnerId, r.Name, ChannelTypes.Thread, r.Archived,
            r.AutoArchiveSeconds, r.ArchivedAt, r.MessageCount, r.MemberCount, r.LastMessageAt, r.LastActivityAt, r.CreatedAt, withJoined ? r.Joined : null);

    /// <summary>One thread; <paramref name="viewerId"/> null leaves <c>joined</c> out (gateway payloads are shared).</summary>
    public async Task<ThreadChannel?> FindAsync(string threadId, string? viewerId, CancellationToken ct)
    {
        var rows = await ToRowsAsync(db.Threads.AsNoTracking().Where(t => t.Id == threadId), viewerId, ct);
        return rows.Count == 0 ? null : ToWire(rows[0], viewerId is not null);
    }

    /// <summary>The channel's active threads (latest activity first), or its archived ones (latest archived first).</summary>
    public async Task<List<ThreadChannel>> ListAsync(string parentChannelId, bool archived, string viewerId, CancellationToken ct)
    {
        var query = db.Threads.AsNoTracking().Where(t => t.ParentChannelId == parentChannelId && t.Archived == archived);
        query = archived ? query.OrderByDescending(t => t.ArchivedAt).ThenByDescending(t => t.Id) : query.OrderByDescending(t => t.LastActivityAt).ThenByDescending(t => t.Id);
        var rows = await ToRowsAsync(query.Take(ListMax), viewerId, ct);
        return rows.ConvertAll(r => ToWire(r, true));
    }
}
