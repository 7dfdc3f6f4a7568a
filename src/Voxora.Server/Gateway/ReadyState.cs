using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;

namespace Voxora.Server.Gateway;

/// <summary>The database reads behind IDENTIFY: the user's communities, then READY's payload.</summary>
public static class ReadyState
{
    public static async Task<IReadOnlyCollection<string>> CommunityIdsAsync(VoxoraDbContext db, string userId, CancellationToken ct) =>
        await db.Members.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.CommunityId).ToListAsync(ct);

    /// <summary>The given communities, each with its channels (ordered by position) and member count.</summary>
    public static async Task<List<Protocol.Community>> CommunitiesAsync(VoxoraDbContext db, IReadOnlyCollection<string> communityIds, CancellationToken ct)
    {
        if (communityIds.Count == 0)
        {
            return [];
        }

        var communities = await db.Communities.AsNoTracking().Where(c => communityIds.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        var channels = await db.Channels.AsNoTracking()
            .Where(c => communityIds.Contains(c.CommunityId))
            .OrderBy(c => c.Position).ThenBy(c => c.Id)
            .ToListAsync(ct);
        var counts = await db.Members.AsNoTracking()
            .Where(m => communityIds.Contains(m.CommunityId))
            .GroupBy(m => m.CommunityId)
            .Select(g => new { CommunityId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.CommunityId, x => x.Count, ct);
        var channelsByCommunity = channels.ToLookup(c => c.CommunityId);
        return communities
            .Select(c => c.ToProtocol(counts.GetValueOrDefault(c.Id), channelsByCommunity[c.Id].Select(ch => ch.ToProtocol()).ToList()))
            .ToList();
    }
}
