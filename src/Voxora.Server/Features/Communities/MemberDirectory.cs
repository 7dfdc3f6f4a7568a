using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Infrastructure.Cluster;

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
/// epoch it started under is still current. Node-local, like the permission snapshots: on a cluster every Forget
/// is applied here at once and published on the bus, and the other nodes apply it when it arrives (well within a
/// second; a node that reads the database after the message sees the committed change).
/// </remarks>
public sealed class MemberDirectory
{
    private const string ForgetKind = "members.forget";

    // Enough for every active member of a large pod; past it the cache starts over rather than grow without end.
    private const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<(string CommunityId, string UserId), UserSummary> members = new();
    private readonly Lock gate = new();
    private long epoch;
    private readonly ClusterBus bus;

    private enum ForgetScope
    {
        Member = 1,
        Community = 2,
        User = 3,
    }

    public MemberDirectory(ClusterBus bus)
    {
        this.bus = bus;
        bus.Subscribe(ForgetKind, OnClusterForget);
        // Renames and removals announced while Redis was unreachable never arrived: start over.
        bus.Reconnected += () => ForgetWhere(_ => true);
    }

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
            .Select(m => new UserSummary(m.User!.Id, m.User.Username, m.User.DisplayName, AvatarLinks.UserAvatarUrl(m.User.Id, m.User.AvatarHash)))
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
        ForgetMemberHere(communityId, userId);
        Publish(ForgetScope.Member, communityId, userId);
    }

    /// <summary>The community was deleted.</summary>
    public void ForgetCommunity(string communityId)
    {
        ForgetWhere(key => key.CommunityId == communityId);
        Publish(ForgetScope.Community, communityId, null);
    }

    /// <summary>The user's name or display name changed.</summary>
    public void ForgetUser(string userId)
    {
        ForgetWhere(key => key.UserId == userId);
        Publish(ForgetScope.User, null, userId);
    }

    private void Publish(ForgetScope scope, string? communityId, string? userId)
    {
        if (!bus.IsClustered)
        {
            return;
        }

        var body = new BusWriter();
        body.Int32((int)scope);
        body.String(communityId);
        body.String(userId);
        bus.Publish(ForgetKind, body.WrittenSpan);
    }

    // Quick and lock-protected, so it runs on the bus reader itself.
    private void OnClusterForget(ClusterMessage message)
    {
        if (message.IsFrom(bus))
        {
            return;
        }

        var reader = new BusReader(message.Body.Span);
        var scope = (ForgetScope)reader.Int32();
        var communityId = reader.String();
        var userId = reader.String();
        switch (scope)
        {
            case ForgetScope.Member:
                ForgetMemberHere(communityId!, userId!);
                break;
            case ForgetScope.Community:
                ForgetWhere(key => key.CommunityId == communityId);
                break;
            case ForgetScope.User:
                ForgetWhere(key => key.UserId == userId);
                break;
        }
    }

    private void ForgetMemberHere(string communityId, string userId)
    {
        lock (gate)
        {
            epoch++;
            members.TryRemove((communityId, userId), out _);
        }
    }

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
