using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Messages;

/// <summary>Which way a history page walks from its cursor.</summary>
public enum PageDirection
{
    Latest,
    Before,
    After,
    Around,
}

/// <summary>
/// Message reads, projected straight to the wire type: one query for the messages with their authors
/// (and whether each has any reaction, and its pin: index probes on the reactions and pins keys), then one for the reaction
/// counts of those messages that have any, skipped when none has. No per-message queries.
/// </summary>
public sealed class MessageStore(VoxoraDbContext db, Attachments.MediaLinks links, LinkPreviews.EmbedPresenter embeds)
{
    private sealed record Row(long Id, string ChannelId, string? CommunityId, string AuthorId, string Username, string? DisplayName, string? AvatarHash,
        string Content, DateTimeOffset CreatedAt, DateTimeOffset? EditedAt, long? ReplyToId, string? MentionIds, bool HasReactions,
        string? MentionRoleIds, bool MentionEveryone, int Type, DateTimeOffset? PinnedAt, string? Embeds);

    private IQueryable<MessageEntity> InChannel(string channelId) =>
        db.Messages.AsNoTracking().Where(m => m.ChannelId == channelId);

    // The projection goes last: EF cannot order or filter on a constructed record.
    private Task<List<Row>> ToRowsAsync(IQueryable<MessageEntity> query, CancellationToken ct) =>
        query.Select(m => new Row(m.Id, m.ChannelId, m.CommunityId, m.AuthorId, m.Author!.Username, m.Author.DisplayName, m.Author.AvatarHash,
                m.Content, m.CreatedAt, m.EditedAt, m.ReplyToId, m.MentionIds, db.Reactions.Any(r => r.MessageId == m.Id),
                m.MentionRoleIds, m.MentionEveryone, m.Type,
                db.MessagePins.Where(p => p.MessageId == m.Id).Select(p => (DateTimeOffset?)p.PinnedAt).FirstOrDefault(), m.Embeds))
            .ToListAsync(ct);

    /// <summary>A page of history, newest first. <paramref name="viewerId"/> fills <c>reactions[].me</c>.</summary>
    public async Task<List<Message>> PageAsync(string channelId, PageDirection direction, long cursor, int limit, string viewerId, CancellationToken ct)
    {
        List<Row> rows;
        switch (direction)
        {
            case PageDirection.Before:
                rows = await ToRowsAsync(InChannel(channelId).Where(m => m.Id < cursor).OrderByDescending(m => m.Id).Take(limit), ct);
                break;
            case PageDirection.After:
                rows = await ToRowsAsync(InChannel(channelId).Where(m => m.Id > cursor).OrderBy(m => m.Id).Take(limit), ct);
                rows.Reverse();
                break;
            case PageDirection.Around:
                // Up to limit/2 newer messages, and the rest at or before the cursor (the cursor itself included).
                var newer = await ToRowsAsync(InChannel(channelId).Where(m => m.Id > cursor).OrderBy(m => m.Id).Take(limit / 2), ct);
                var older = await ToRowsAsync(InChannel(channelId).Where(m => m.Id <= cursor).OrderByDescending(m => m.Id).Take(limit - (limit / 2)), ct);
                newer.Reverse();
                rows = [.. newer, .. older];
                break;
            default:
                rows = await ToRowsAsync(InChannel(channelId).OrderByDescending(m => m.Id).Take(limit), ct);
                break;
        }

        return await ToWireAsync(rows, viewerId, ct);
    }

    /// <summary>One message of the channel, or null. <paramref name="viewerId"/> null leaves <c>me</c> out (gateway payloads).</summary>
    public async Task<Message?> FindAsync(string channelId, long messageId, string? viewerId, CancellationToken ct)
    {
        var rows = await ToRowsAsync(InChannel(channelId).Where(m => m.Id == messageId), ct);
        return rows.Count == 0 ? null : (await ToWireAsync(rows, viewerId, ct))[0];
    }

    /// <summary>
    /// The messages with these ids (those that exist) in whatever channels they are, in no particular order: for callers
    /// that found the ids in channels the viewer may read already (search hits and their context), loaded in one go.
    /// </summary>
    public async Task<List<Message>> ManyInReadableChannelsAsync(IReadOnlyCollection<long> messageIds, string? viewerId, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        var rows = await ToRowsAsync(db.Messages.AsNoTracking().Where(m => messageIds.Contains(m.Id)), ct);
        return await ToWireAsync(rows, viewerId, ct);
    }

    /// <summary>The messages of the channel with these ids (those that exist), in no particular order.</summary>
    public async Task<List<Message>> ManyAsync(string channelId, IReadOnlyCollection<long> messageIds, string? viewerId, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        var rows = await ToRowsAsync(InChannel(channelId).Where(m => messageIds.Contains(m.Id)), ct);
        return await ToWireAsync(rows, viewerId, ct);
    }

    /// <summary>Reaction counts per message of the page, in a stable order (by emoji).</summary>
    public async Task<Dictionary<long, List<ReactionCount>>> ReactionsAsync(IReadOnlyCollection<long> messageIds, string? viewerId, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        var me = viewerId ?? "";
        var counts = await db.Reactions.AsNoTracking()
            .Where(r => messageIds.Contains(r.MessageId))
            .GroupBy(r => new { r.MessageId, r.Emoji })
            .Select(g => new { g.Key.MessageId, g.Key.Emoji, Count = g.Count(), Mine = g.Count(r => r.UserId == me) })
            .ToListAsync(ct);
        return counts
            .GroupBy(c => c.MessageId)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(c => c.Emoji, StringComparer.Ordinal)
                    .Select(c => new ReactionCount(c.Emoji, c.Count, viewerId is null ? null : c.Mine > 0))
                    .ToList());
    }

    private async Task<List<Message>> ToWireAsync(List<Row> rows, string? viewerId, CancellationToken ct)
    {
        var reactions = await ReactionsAsync(rows.Where(r => r.HasReactions).Select(r => r.Id).ToList(), viewerId, ct);
        var threads = await ThreadsOfAsync(rows, ct);
        var attachments = await links.OfMessagesAsync(db, rows.ConvertAll(r => r.Id), ct);
        return rows.Select(r => new Message(
                Snowflake.Format(r.Id),
                r.ChannelId,
                r.CommunityId,
                new UserSummary(r.AuthorId, r.Username, r.DisplayName, AvatarLinks.UserAvatarUrl(r.AuthorId, r.AvatarHash)),
                r.Content,
                r.CreatedAt,
                r.EditedAt,
                r.ReplyToId is { } reply ? Snowflake.Format(reply) : null,
                MentionParser.Split(r.MentionIds),
                reactions.GetValueOrDefault(r.Id) ?? [],
                MentionRoles: MentionParser.Split(r.MentionRoleIds),
                MentionEveryone: r.MentionEveryone,
                Type: r.Type,
                Pinned: r.PinnedAt is not null,
                PinnedAt: r.PinnedAt,
                Thread: threads.GetValueOrDefault(r.Id),
                Attachments: attachments.GetValueOrDefault(r.Id),
                Embeds: embeds.Present(r.Embeds)))
            .ToList();
    }

    /// <summary>The thread summary of each message of the page that started one (one indexed query on the unique parent message id).</summary>
    private async Task<Dictionary<long, ThreadSummary>> ThreadsOfAsync(List<Row> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.ConvertAll(r => r.Id);
        var threads = await db.Threads.AsNoTracking()
            .Where(t => ids.Contains(t.ParentMessageId))
            .Select(t => new { t.ParentMessageId, Summary = new ThreadSummary(t.Id, t.Channel!.Name, t.MessageCount, t.LastMessageAt, t.LastActivityAt, t.Archived) })
            .ToListAsync(ct);
        return threads.ToDictionary(t => t.ParentMessageId, t => t.Summary);
    }
}
