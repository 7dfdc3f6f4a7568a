using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.DirectMessages;

/// <summary>The queries behind direct channels, blocks and DM privacy: who is in a DM, who may reach whom.</summary>
public sealed class DirectChannelStore(VoxoraDbContext db)
{
    /// <summary>
    /// A DM has no community, so no roles: its access carries an empty snapshot (mentions of roles resolve to
    /// nothing) and the participant permissions of <see cref="DirectMessageRules"/>.
    /// </summary>
    private static readonly PermissionSnapshot NoCommunity = new(
        new CommunityPermissionData("", "", "", new Dictionary<string, RoleInfo>(), new Dictionary<string, IReadOnlyList<string>>(),
            new Dictionary<string, DateTimeOffset>(), new Dictionary<string, ChannelInfo>()),
        []);

    /// <summary>
    /// The direct channel if <paramref name="userId"/> is one of its participants, else null (unknown, or not theirs:
    /// the same 404 either way). In a one-to-one DM across a block neither person may send or react.
    /// </summary>
    public async Task<ChannelAccess?> AccessAsync(string channelId, string userId, CancellationToken ct)
    {
        var people = await ParticipantsAsync(channelId, ct);
        if (people.FirstOrDefault(p => p.Id == userId) is not { } me)
        {
            return null;
        }

        var channel = await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == channelId && c.CommunityId == null, ct);
        var direct = await db.Set<DirectChannelEntity>().AsNoTracking().SingleOrDefaultAsync(d => d.ChannelId == channelId, ct);
        if (channel is null || direct is null)
        {
            return null;
        }

        var permissions = DirectMessageRules.ParticipantPermissions;
        if (channel.Type == ChannelTypes.DirectMessage && people.FirstOrDefault(p => p.Id != userId) is { } other
            && await BlockedEitherWayAsync(userId, other.Id, ct))
        {
            permissions = DirectMessageRules.BlockedPairPermissions;
        }

        return new ChannelAccess(channel, direct.OwnerId ?? "", me, permissions, NoCommunity, people.Select(p => p.Id).ToList());
    }

    /// <summary>The people in a direct channel, in the order they joined.</summary>
    public async Task<List<UserSummary>> ParticipantsAsync(string channelId, CancellationToken ct)
    {
        if (!Ids.IsWellFormed(channelId, Ids.Channel))
        {
            return [];
        }

        return await db.Set<DirectRecipientEntity>().AsNoTracking()
            .Where(r => r.ChannelId == channelId)
            .Join(db.Users, r => r.UserId, u => u.Id, (r, u) => new { r.JoinedAt, u.Id, u.Username, u.DisplayName, u.AvatarHash })
            .OrderBy(x => x.JoinedAt).ThenBy(x => x.Id)
            .Select(x => new UserSummary(x.Id, x.Username, x.DisplayName, AvatarLinks.UserAvatarUrl(x.Id, x.AvatarHash)))
            .ToListAsync(ct);
    }

    /// <summary>The user's direct channels as sent on the wire, the most recently active first.</summary>
    public async Task<List<DirectChannel>> ListAsync(string userId, CancellationToken ct)
    {
        var ids = await db.Set<DirectRecipientEntity>().AsNoTracking().Where(r => r.UserId == userId).Select(r => r.ChannelId).ToListAsync(ct);
        return await WireAsync(ids, ct);
    }

    public async Task<DirectChannel?> WireAsync(string channelId, CancellationToken ct) => (await WireAsync([channelId], ct)).FirstOrDefault();

    private async Task<List<DirectChannel>> WireAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var channels = await db.Channels.AsNoTracking().Where(c => ids.Contains(c.Id) && c.CommunityId == null)
            .Join(db.Set<DirectChannelEntity>(), c => c.Id, d => d.ChannelId, (c, d) => new { c.Id, c.Type, c.Name, d.OwnerId, c.CreatedAt })
            .ToListAsync(ct);
        var people = await db.Set<DirectRecipientEntity>().AsNoTracking()
            .Where(r => ids.Contains(r.ChannelId))
            .Join(db.Users, r => r.UserId, u => u.Id, (r, u) => new { r.ChannelId, r.JoinedAt, u.Id, u.Username, u.DisplayName, u.AvatarHash })
            .ToListAsync(ct);
        var last = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.ChannelId))
            .GroupBy(m => m.ChannelId).Select(g => new { ChannelId = g.Key, Last = g.Max(m => m.Id) })
            .ToDictionaryAsync(x => x.ChannelId, x => x.Last, ct);
        var byChannel = people.GroupBy(p => p.ChannelId).ToDictionary(
            g => g.Key,
            g => g.OrderBy(p => p.JoinedAt).ThenBy(p => p.Id, StringComparer.Ordinal).Select(p => new UserSummary(p.Id, p.Username, p.DisplayName, AvatarLinks.UserAvatarUrl(p.Id, p.AvatarHash))).ToList());
        return channels
            .Select(c => new DirectChannel(c.Id, c.Type, c.Name.Length == 0 ? null : c.Name, c.OwnerId, byChannel.GetValueOrDefault(c.Id) ?? [],
                last.TryGetValue(c.Id, out var id) ? Snowflake.Format(id) : null, c.CreatedAt))
            .OrderByDescending(c => last.GetValueOrDefault(c.Id, Snowflake.FirstAt(c.CreatedAt)))
            .ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The one-to-one DM of these two people, if it exists.</summary>
    public Task<string?> PairChannelAsync(string a, string b, CancellationToken ct)
    {
        var key = DirectMessageRules.PairKey(a, b);
        return db.Set<DirectChannelEntity>().AsNoTracking().Where(d => d.PairKey == key).Select(d => d.ChannelId).SingleOrDefaultAsync(ct);
    }

    public Task<bool> BlockedEitherWayAsync(string a, string b, CancellationToken ct) =>
        db.Set<UserBlockEntity>().AnyAsync(x => (x.UserId == a && x.BlockedUserId == b) || (x.UserId == b && x.BlockedUserId == a), ct);

    public Task<bool> SharesCommunityAsync(string a, string b, CancellationToken ct) =>
        db.Members.AnyAsync(m => m.UserId == a && db.Members.Any(o => o.CommunityId == m.CommunityId && o.UserId == b), ct);

    public async Task<bool> AllowsDmsFromMembersAsync(string userId, CancellationToken ct) =>
        await db.Set<DirectMessageSettingsEntity>().AsNoTracking().Where(s => s.UserId == userId).Select(s => (bool?)s.AllowDmsFromMembers).SingleOrDefaultAsync(ct) ?? true;

    /// <summary>May <paramref name="senderId"/> open a DM with, or add to a group, <paramref name="recipientId"/>? (<see cref="DirectMessageRules.MayReach"/>)</summary>
    public async Task<bool> MayReachAsync(string senderId, string recipientId, CancellationToken ct) =>
        DirectMessageRules.MayReach(
            await SharesCommunityAsync(senderId, recipientId, ct),
            await AllowsDmsFromMembersAsync(recipientId, ct),
            await BlockedEitherWayAsync(senderId, recipientId, ct));

    /// <summary>Does a direct channel hold both people? (A profile is visible to someone you share a DM with.)</summary>
    public Task<bool> ShareDirectChannelAsync(string a, string b, CancellationToken ct) =>
        db.Set<DirectRecipientEntity>().AnyAsync(r => r.UserId == a && db.Set<DirectRecipientEntity>().Any(o => o.ChannelId == r.ChannelId && o.UserId == b), ct);

    /// <summary>Saves a new direct channel with its people (one transaction).</summary>
    public async Task CreateAsync(ChannelEntity channel, DirectChannelEntity direct, IEnumerable<string> userIds, DateTimeOffset now, CancellationToken ct)
    {
        db.Channels.Add(channel);
        db.Set<DirectChannelEntity>().Add(direct);
        foreach (var id in userIds)
        {
            db.Set<DirectRecipientEntity>().Add(new DirectRecipientEntity { ChannelId = channel.Id, UserId = id, JoinedAt = now });
        }

        await db.SaveChangesAsync(ct);
    }
}
