using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;
using Voxora.Server.Features.Permissions;

namespace Voxora.Server.Gateway;

/// <summary>The database reads behind IDENTIFY: the user's communities, then READY's payload.</summary>
public static class ReadyState
{
    public static async Task<IReadOnlyCollection<string>> CommunityIdsAsync(VoxoraDbContext db, string userId, CancellationToken ct) =>
        await db.Members.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.CommunityId).ToListAsync(ct);

    /// <summary>The given communities, each with the channels <paramref name="userId"/> may view (ordered by position) and its member count.</summary>
    public static async Task<List<Protocol.Community>> CommunitiesAsync(
        VoxoraDbContext db, PermissionCache permissions, string userId, IReadOnlyCollection<string> communityIds, CancellationToken ct)
    {
        if (communityIds.Count == 0)
        {
            return [];
        }

        var communities = await db.Communities.AsNoTracking().Where(c => communityIds.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        var counts = await db.Members.AsNoTracking()
            .Where(m => communityIds.Contains(m.CommunityId))
            .GroupBy(m => m.CommunityId)
            .Select(g => new { CommunityId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.CommunityId, x => x.Count, ct);
        var result = new List<Protocol.Community>(communities.Count);
        foreach (var community in communities)
        {
            // Channels come from the permission snapshot, already filtered to what this user may view.
            var snapshot = await permissions.GetAsync(community.Id, ct);
            result.Add(community.ToProtocol(counts.GetValueOrDefault(community.Id), snapshot?.VisibleChannels(userId) ?? []));
        }

        return result;
    }
}
