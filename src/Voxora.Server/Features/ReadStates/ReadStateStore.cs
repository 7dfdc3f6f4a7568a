using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.ReadStates;

/// <summary>
/// Read markers and the counts derived from them. A channel's unread messages are the messages by others after
/// <c>max(read marker, the moment the user joined the community)</c>: history from before joining is never unread.
/// Counts are taken from the messages themselves (their stored mention columns) when asked, so a deleted message
/// stops counting and an edit that adds or removes a mention changes the mention count with no bookkeeping.
/// </summary>
public sealed class ReadStateStore(VoxoraDbContext db, PermissionCache permissions)
{
    /// <summary>A channel the user can view, and the id after which its messages are unread.</summary>
    public sealed record Watched(string ChannelId, string? CommunityId, long After);

    /// <summary>
    /// The text channels the user can view now (from the permission snapshots), with where their unread messages
    /// start: in every community and every direct channel of theirs, in <paramref name="communityId"/> only, or just
    /// <paramref name="channelId"/>.
    /// Two small queries (memberships, read markers), whatever the number of channels.
    /// </summary>
    public async Task<List<Watched>> WatchedAsync(string userId, string? communityId, string? channelId, CancellationToken ct)
    {
        var memberships = await db.Members.AsNoTracking()
            .Where(m => m.UserId == userId && (communityId == null || m.CommunityId == communityId))
            .Select(m => new { m.CommunityId, m.JoinedAt })
            .ToListAsync(ct);
        var marks = await db.Set<ReadStateEntity>().AsNoTracking()
            .Where(r => r.UserId == userId && (channelId == null || r.ChannelId == channelId))
            .ToDictionaryAsync(r => r.ChannelId, r => r.LastReadId, ct);

        var watched = new List<Watched>();
        foreach (var membership in memberships.OrderBy(m => m.CommunityId, StringComparer.Ordinal))
        {
            if (await permissions.GetAsync(membership.CommunityId, ct) is not { } snapshot)
            {
                continue;
            }

            var joined = Snowflake.FirstAt(membership.JoinedAt) - 1;
            foreach (var channel in snapshot.Channels)
            {
                if (channel.Type == ChannelTypes.Text && (channelId == null || channel.Id == channelId) && snapshot.CanView(userId, channel.Id))
                {
                    watched.Add(new Watched(channel.Id, membership.CommunityId, Math.Max(joined, marks.GetValueOrDefault(channel.Id))));
                }
            }
        }

        // Direct channels belong to no community: asked for when no community narrows the request. Messages from
        // before someone joined a group are not unread for them.
        if (communityId is null)
        {
            var direct = await db.Set<DirectMessages.DirectRecipientEntity>().AsNoTracking()
                .Where(r => r.UserId == userId && (channelId == null || r.ChannelId == channelId))
                .Select(r => new { r.ChannelId, r.JoinedAt })
                .ToListAsync(ct);
            foreach (var channel in direct.OrderBy(d => d.ChannelId, StringComparer.Ordinal))
            {
                watched.Add(new Watched(channel.ChannelId, null, Math.Max(Snowflake.FirstAt(channel.JoinedAt) - 1, marks.GetValueOrDefault(channel.ChannelId))));
            }
        }

        return watched;
    }

    /// <summary>
    /// Unread and mention counts and the newest message of each channel, in one statement: per channel, index range
    /// scans on <c>messages (channel_id, id)</c> from its start point. Mentions are the user by id, a role the user
    /// holds (member_roles, asked only for messages that mention roles), or @everyone / @here. The user's own
    /// messages never count.
    /// </summary>
    public async Task<List<ChannelUnread>> CountAsync(string userId, IReadOnlyList<Watched> channels, CancellationToken ct)
    {
        if (channels.Count == 0)
        {
            return [];
        }

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            // PostgreSQL's planner cannot know how far each marker is, so it prices the statement above jit_above_cost
            // and spends ~0.5 s compiling a query that runs in a few milliseconds (measured: 50 channels × 10k
            // messages). Off for this one transaction only.
            await using var transaction = db.Database.IsNpgsql() ? await connection.BeginTransactionAsync(ct) : null;
            if (transaction is not null)
            {
                await using var noJit = connection.CreateCommand();
                noJit.Transaction = transaction;
                noJit.CommandText = "SET LOCAL jit = off";
                await noJit.ExecuteNonQueryAsync(ct);
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder("WITH watched (channel_id, after_id) AS (VALUES ");
            for (var i = 0; i < channels.Count; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append($"(@c{i}, @a{i})");
                Add(command, $"@c{i}", channels[i].ChannelId);
                Add(command, $"@a{i}", channels[i].After);
            }

            sql.Append("""
                )
                SELECT w.channel_id,
                  (SELECT MAX(m.id) FROM messages m WHERE m.channel_id = w.channel_id),
                  (SELECT COUNT(*) FROM messages m WHERE m.channel_id = w.channel_id AND m.id > w.after_id AND m.author_id <> @me),
                  (SELECT COUNT(*) FROM messages m WHERE m.channel_id = w.channel_id AND m.id > w.after_id AND m.author_id <> @me
                     AND (m.mention_everyone OR m.mention_ids LIKE @mentioned
                          OR (m.mention_role_ids IS NOT NULL AND EXISTS (
                                SELECT 1 FROM member_roles r WHERE r.user_id = @me AND m.mention_role_ids LIKE '%' || r.role_id || '%'))))
                FROM watched w
                """);
            Add(command, "@me", userId);
            // Ids are fixed-length and stored space-separated, so a substring match finds exactly this user.
            Add(command, "@mentioned", "%" + userId + "%");
            command.CommandText = sql.ToString();

            var byChannel = new Dictionary<string, (long? Last, int Unread, int Mentions)>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    byChannel[reader.GetString(0)] = (
                        reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
                        Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
                        Convert.ToInt32(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(ct);
            }

            return channels.Select(c =>
            {
                var (last, unread, mentions) = byChannel.GetValueOrDefault(c.ChannelId);
                return new ChannelUnread(c.ChannelId, c.CommunityId, unread, mentions, last is { } id ? Snowflake.Format(id) : null);
            }).ToList();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Moves the user's marker in the channel to <paramref name="lastReadId"/> unless it is already there or further. True when it moved.</summary>
    public async Task<bool> AdvanceAsync(string userId, string channelId, long lastReadId, DateTimeOffset now, CancellationToken ct)
    {
        // One statement, so concurrent marks from two devices never go backwards and never collide on the key.
        var updatedAt = db.Model.FindEntityType(typeof(ReadStateEntity))!.FindProperty(nameof(ReadStateEntity.UpdatedAt))!
            .GetTypeMapping().Converter?.ConvertToProvider(now) ?? now;
        var moved = await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO read_states (user_id, channel_id, last_read_id, updated_at) VALUES ({0}, {1}, {2}, {3})
            ON CONFLICT (user_id, channel_id) DO UPDATE SET last_read_id = excluded.last_read_id, updated_at = excluded.updated_at
            WHERE read_states.last_read_id < excluded.last_read_id
            """, new object[] { userId, channelId, lastReadId, updatedAt }, ct);
        return moved > 0;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
