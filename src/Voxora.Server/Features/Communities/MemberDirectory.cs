using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Communities;

/// <summary>
/// "Is this user a member of this community, and how are they shown?" answered from memory for the hot
/// per-request checks (every message POST and history page asks it). Only members are cached; a miss
/// asks the database. Everything that removes a membership or renames a user calls <see cref="Forget"/>,
/// <see cref="ForgetCommunity"/> or <see cref="ForgetUser"/> after its change is saved.
/// </summary>
/// <remarks>
/// A lookup that read the database before a removal was saved must not install its (now stale) answer
/// after the removal was forgotten: every Forget bumps an epoch, and a load only installs its answer if the
/// epoch it started under is still current. Node-local, like the permission snapshots.
/// </remarks>
public sealed class MemberDirectory
{
    // Enough for every active member of a large pod; past it the cache starts over rather than grow without end.
    private const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<(string CommunityId, string UserId), UserSummary> members = new();
    private readonly Lock gate = new();
    private long epoch;

    /// <summary>The member as shown to others, or null when the user is not a member (or either id is unknown).</summary>
    public async ValueTask<UserSummary?> FindAsync(VoxoraDbContext db, string communityId, string userId, CancellationToken ct)
    {
        var key = (communityId, userId);
        if (members.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var startedUnder = Interlocked.Read(ref epoch);
        var found = await db.Members.AsNoTracking()
            .Where(m => m.CommunityId == communityId && m.UserId == userId)
            .Select(m => new UserSummary(m.User!.Id, m.User.Username, m.User.DisplayName))
            .SingleOrDefaultAsync(ct);
        if (found is null)
        {
            return null;
        }

        lock (gate)
        {
            if (epoch == startedUnder)
            {
                if (members.Count >= MaxEntries)
                {
                    members.Clear();
                }

                members[key] = found;
            }
        }

        return found;
    }

    /// <summary>The membership was removed (leave, kick, ban).</summary>
    public void Forget(string communityId, string userId)
    {
        lock (gate)
        {
            epoch++;
            members.TryRemove((communityId, userId), out _);
        }
    }

    /// <summary>The community was deleted.</summary>
    public void ForgetCommunity(string communityId) => ForgetWhere(key => key.CommunityId == communityId);

    /// <summary>The user's name or display name changed.</summary>
    public void ForgetUser(string userId) => ForgetWhere(key => key.UserId == userId);

    // Rare (deletions, renames), so a scan is fine.
    private void ForgetWhere(Func<(string CommunityId, string UserId), bool> match)
    {
        lock (gate)
        {
            epoch++;
            foreach (var (key, _) in members)
            {
                if (match(key))
                {
                    members.TryRemove(key, out _);
                }
            }
        }
    }
}
