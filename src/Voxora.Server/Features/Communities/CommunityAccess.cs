using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Communities;

/// <summary>
/// A channel the caller may see, with what the caller's request needs about its community and about them:
/// their permissions in the channel (resolved by <see cref="PermissionResolver"/>) and the community's snapshot.
/// A direct channel (no community) has its participants in <paramref name="DirectRecipients"/>, its group owner (or "")
/// as <paramref name="OwnerId"/> and an empty snapshot.
/// </summary>
public sealed record ChannelAccess(ChannelEntity Channel, string OwnerId, UserSummary Me, long Permissions, PermissionSnapshot Snapshot,
    IReadOnlyList<string>? DirectRecipients = null)
{
    public bool IsOwner => OwnerId == Me.Id;

    /// <summary>A DM or group DM: no community, no roles, no moderators; its events go to <see cref="DirectRecipients"/>.</summary>
    public bool IsDirect => Channel.CommunityId is null;

    public bool Has(long permission) => PermissionResolver.Has(Permissions, permission);
}

/// <summary>A community the caller belongs to, with their community-wide permissions and the community's snapshot.</summary>
public sealed record CommunityMembership(CommunityEntity Community, string UserId, long Permissions, PermissionSnapshot Snapshot)
{
    public bool IsOwner => Community.OwnerId == UserId;

    public bool Has(long permission) => PermissionResolver.Has(Permissions, permission);

    public int HighestPosition => Snapshot.HighestPosition(UserId);

    /// <summary>The caller as the role hierarchy (<see cref="RoleHierarchy"/>) sees them.</summary>
    public HierarchyActor Actor => new(IsOwner, HighestPosition, Permissions);

    /// <summary>Role hierarchy: may the caller act on someone (or a role) whose highest position is <paramref name="position"/>? The owner always may.</summary>
    public bool IsAbove(int position) => RoleHierarchy.IsAbove(Actor, position);
}

/// <summary>
/// Membership and permission checks shared by every community-scoped endpoint. Each lookup is at most one
/// query plus the cached permission snapshot, and answers null both for "does not exist" and "you are not a
/// member" (or, for channels, "you may not view it"), so callers send the same 404 either way and
/// outsiders learn nothing.
/// </summary>
public sealed class CommunityAccess(VoxoraDbContext db, PermissionCache permissions, MemberDirectory members, DirectMessages.DirectChannelStore directChannels)
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

    /// <summary>The community with the caller's permissions in it, or null (not a member, unknown, malformed).</summary>
    public async Task<CommunityMembership?> MembershipAsync(string communityId, string userId, CancellationToken ct)
    {
        var community = await FindCommunityAsync(communityId, userId, ct);
        if (community is null)
        {
            return null;
        }

        var snapshot = await permissions.GetAsync(community.Id, ct);
        return snapshot is null ? null : new CommunityMembership(community, userId, snapshot.Base(userId, permissions.Now), snapshot);
    }

    /// <summary>
    /// The channel if the caller is a member who may view it; null otherwise. Answered from memory on the hot
    /// path: the channel's community and row from the permission snapshot, the membership from
    /// <see cref="MemberDirectory"/>; the database is asked only on a cold cache. A direct channel (no community) is
    /// found for its participants only (<see cref="DirectMessages.DirectChannelStore.AccessAsync"/>); check
    /// <see cref="ChannelAccess.IsDirect"/> where only community channels make sense.
    /// </summary>
    public async Task<ChannelAccess?> FindChannelAsync(string channelId, string userId, CancellationToken ct)
    {
        if (!Ids.IsWellFormed(channelId, Ids.Channel))
        {
            return null;
        }

        var communityId = await permissions.CommunityOfChannelAsync(db, channelId, ct);
        if (communityId is null)
        {
            return await directChannels.AccessAsync(channelId, userId, ct);
        }

        var snapshot = await permissions.GetAsync(communityId, ct);
        if (snapshot?.ChannelRow(channelId) is not { } channel)
        {
            return null;
        }

        if (await members.FindAsync(db, communityId, userId, ct) is not { } me)
        {
            return null;
        }

        var granted = snapshot.For(userId, channel.Id, permissions.Now);
        if ((granted & Permission.ViewChannel) == 0)
        {
            return null;
        }

        return new ChannelAccess(channel, snapshot.Data.OwnerId, me, granted, snapshot);
    }

    /// <summary>The channels of the community the user may view, in display order.</summary>
    public async Task<List<Channel>> ChannelsAsync(string communityId, string userId, CancellationToken ct)
    {
        var snapshot = await permissions.GetAsync(communityId, ct);
        return snapshot?.VisibleChannels(userId) ?? [];
    }

    public Task<int> MemberCountAsync(string communityId, CancellationToken ct) =>
        db.Members.CountAsync(m => m.CommunityId == communityId, ct);

    /// <summary>The community as sent whole to <paramref name="userId"/>: with the channels they may view and the member count.</summary>
    public async Task<Community> WholeAsync(CommunityEntity community, string userId, CancellationToken ct)
    {
        var channels = await ChannelsAsync(community.Id, userId, ct);
        var count = await MemberCountAsync(community.Id, ct);
        return community.ToProtocol(count, channels);
    }

    /// <summary>Role ids per member (members without roles are absent).</summary>
    public async Task<Dictionary<string, List<string>>> RolesOfAsync(string communityId, IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        var rows = await db.MemberRoles.AsNoTracking()
            .Where(m => m.CommunityId == communityId && userIds.Contains(m.UserId))
            .Select(m => new { m.UserId, m.RoleId })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.UserId).ToDictionary(g => g.Key, g => g.Select(r => r.RoleId).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>One member as sent in member lists and COMMUNITY_MEMBER_UPDATE.</summary>
    public async Task<Member?> MemberAsync(string communityId, string userId, CancellationToken ct)
    {
        var row = await db.Members.AsNoTracking()
            .Where(m => m.CommunityId == communityId && m.UserId == userId)
            .Select(m => new { m.JoinedAt, m.TimeoutUntil, m.User!.Id, m.User.Username, m.User.DisplayName, m.User.AvatarHash })
            .SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return null;
        }

        var roles = await RolesOfAsync(communityId, [userId], ct);
        return new Member(communityId, new UserSummary(row.Id, row.Username, row.DisplayName, AvatarLinks.UserAvatarUrl(row.Id, row.AvatarHash)), row.JoinedAt,
            roles.GetValueOrDefault(userId) ?? [], row.TimeoutUntil);
    }
}
