using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Channels;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Communities;

/// <summary>A channel the caller may see, with what the caller's request needs about its community and about them.</summary>
public sealed record ChannelAccess(ChannelEntity Channel, string OwnerId, UserSummary Me)
{
    public bool IsOwner => OwnerId == Me.Id;
}

/// <summary>
/// Membership checks shared by the community, channel, invite and message endpoints. Each lookup is one
/// query and answers null both for "does not exist" and "you are not a member", so callers send the
/// same 404 either way and non-members learn nothing.
/// </summary>
public sealed class CommunityAccess(VoxoraDbContext db)
{
    public async Task<CommunityEntity?> FindCommunityAsync(string communityId, string userId, CancellationToken ct)
    {
        if (!Ids.IsWellFormed(communityId, Ids.Community))
        {
            return null;
        }

        return await db.Communities.AsNoTracking()
            .Where(c => c.Id == communityId && db.Members.Any(m => m.CommunityId == c.Id && m.UserId == userId))
            .SingleOrDefaultAsync(ct);
    }

    public async Task<ChannelAccess?> FindChannelAsync(string channelId, string userId, CancellationToken ct)
    {
        if (!Ids.IsWellFormed(channelId, Ids.Channel))
        {
            return null;
        }

        var row = await (
                from channel in db.Channels.AsNoTracking()
                join community in db.Communities on channel.CommunityId equals community.Id
                join member in db.Members on channel.CommunityId equals member.CommunityId
                join user in db.Users on member.UserId equals user.Id
                where channel.Id == channelId && member.UserId == userId
                select new { Channel = channel, community.OwnerId, user.Id, user.Username, user.DisplayName })
            .SingleOrDefaultAsync(ct);
        return row is null ? null : new ChannelAccess(row.Channel, row.OwnerId, new UserSummary(row.Id, row.Username, row.DisplayName));
    }

    public async Task<List<Channel>> ChannelsAsync(string communityId, CancellationToken ct)
    {
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.CommunityId == communityId)
            .ToListAsync(ct);
        return channels
            .OrderBy(c => c.Position)
            .ThenBy(c => c.Id, StringComparer.Ordinal)
            .Select(c => c.ToProtocol())
            .ToList();
    }

    public Task<int> MemberCountAsync(string communityId, CancellationToken ct) =>
        db.Members.CountAsync(m => m.CommunityId == communityId, ct);

    /// <summary>The community as sent whole: with its channels and member count.</summary>
    public async Task<Community> WholeAsync(CommunityEntity community, CancellationToken ct)
    {
        var channels = await ChannelsAsync(community.Id, ct);
        var count = await MemberCountAsync(community.Id, ct);
        return community.ToProtocol(count, channels);
    }
}
