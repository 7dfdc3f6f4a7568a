using Voxora.Protocol;

namespace Voxora.Server.Features.Permissions;

/// <summary>An allow/deny pair from a channel override.</summary>
public readonly record struct OverrideRule(long Allow, long Deny);

public sealed record RoleInfo(string Id, long Permissions, int Position);

/// <summary>One channel as the resolver sees it: its category link and its own overrides.</summary>
public sealed record ChannelInfo(
    string Id,
    string? ParentId,
    bool PermissionsSynced,
    IReadOnlyDictionary<string, OverrideRule> RoleOverrides,
    IReadOnlyDictionary<string, OverrideRule> UserOverrides);

/// <summary>Everything permission resolution needs about one community. Plain data, no database.</summary>
public sealed record CommunityPermissionData(
    string CommunityId,
    string OwnerId,
    string EveryoneRoleId,
    IReadOnlyDictionary<string, RoleInfo> Roles,
    IReadOnlyDictionary<string, IReadOnlyList<string>> MemberRoles,
    IReadOnlyDictionary<string, DateTimeOffset> Timeouts,
    IReadOnlyDictionary<string, ChannelInfo> Channels);

/// <summary>
/// The one permission rule set (docs/permissions.md), as pure functions. Order, as Discord does it:
/// <list type="number">
/// <item>base = @everyone's permissions | every role the member has;</item>
/// <item>the owner, or anyone whose base has ADMINISTRATOR, gets every permission (overrides and timeouts do not apply);</item>
/// <item>in a channel (a synced child uses its category's overrides): the @everyone override (deny, then allow);
/// then the union of the member's role overrides (deny all, then allow all); then the member's user override (deny, then allow);</item>
/// <item>without VIEW_CHANNEL nothing else in the channel counts; without SEND_MESSAGES, attachments, embeds and @everyone do not;</item>
/// <item>a timed-out member keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY.</item>
/// </list>
/// </summary>
public static class PermissionResolver
{
    public static long Base(bool isOwner, long everyone, IEnumerable<long> roles)
    {
        if (isOwner)
        {
            return Permission.All;
        }

        var permissions = everyone;
        foreach (var role in roles)
        {
            permissions |= role;
        }

        return (permissions & Permission.Administrator) != 0 ? Permission.All : permissions & Permission.All;
    }

    /// <summary>Applies a channel's overrides to <paramref name="basePermissions"/> (which already says whether the member is owner/admin).</summary>
    public static long Channel(long basePermissions, OverrideRule? everyone, IEnumerable<OverrideRule> roles, OverrideRule? user)
    {
        if ((basePermissions & Permission.Administrator) != 0)
        {
            return Permission.All;
        }

        var permissions = basePermissions;
        if (everyone is { } e)
        {
            permissions = (permissions & ~e.Deny) | e.Allow;
        }

        long allow = 0, deny = 0;
        foreach (var role in roles)
        {
            allow |= role.Allow;
            deny |= role.Deny;
        }

        permissions = (permissions & ~deny) | allow;
        if (user is { } u)
        {
            permissions = (permissions & ~u.Deny) | u.Allow;
        }

        return Implied(permissions & Permission.All);
    }

    /// <summary>Permissions that depend on others: no view means nothing, no send means no attachments, embeds or @everyone.</summary>
    public static long Implied(long permissions)
    {
        if ((permissions & Permission.Administrator) != 0)
        {
            return Permission.All;
        }

        if ((permissions & Permission.ViewChannel) == 0)
        {
            // Community-wide bits (kick, ban, audit log …) are not about the channel; keep them.
            return permissions & ~Permission.ChannelScoped;
        }

        if ((permissions & Permission.SendMessages) == 0)
        {
            permissions &= ~(Permission.SendAttachments | Permission.EmbedLinks | Permission.MentionEveryone);
        }

        return permissions;
    }

    public static long ApplyTimeout(long permissions, bool timedOut) =>
        timedOut && (permissions & Permission.Administrator) == 0 ? permissions & Permission.KeptWhileTimedOut : permissions;

    /// <summary>Which channel's overrides apply: a synced child with an existing parent uses its category's.</summary>
    public static ChannelInfo OverrideSource(CommunityPermissionData data, ChannelInfo channel)
    {
        // A synced channel uses its parent's overrides; a thread is synced with its text channel, which may itself be
        // synced with its category: so at most two hops (categories have no parent).
        for (var hops = 0; hops < 2 && channel is { PermissionsSynced: true, ParentId: { } parentId } && data.Channels.TryGetValue(parentId, out var parent); hops++)
        {
            channel = parent;
        }

        return channel;
    }

    public static IReadOnlyList<string> RolesOf(CommunityPermissionData data, string userId) =>
        data.MemberRoles.TryGetValue(userId, out var roles) ? roles : [];

    public static long BaseFor(CommunityPermissionData data, string userId) =>
        Base(userId == data.OwnerId, data.Roles.TryGetValue(data.EveryoneRoleId, out var everyone) ? everyone.Permissions : 0,
            RolesOf(data, userId).Select(id => data.Roles.TryGetValue(id, out var role) ? role.Permissions : 0));

    /// <summary>
    /// The reference implementation: the member's permissions in the community (<paramref name="channelId"/> null)
    /// or in one channel (0 for a channel that does not exist), at <paramref name="now"/>.
    /// </summary>
    public static long Compute(CommunityPermissionData data, string userId, string? channelId, DateTimeOffset now)
    {
        var basePermissions = BaseFor(data, userId);
        long permissions;
        if (channelId is null)
        {
            permissions = basePermissions;
        }
        else if (!data.Channels.TryGetValue(channelId, out var channel))
        {
            return 0;
        }
        else
        {
            var source = OverrideSource(data, channel);
            permissions = Channel(
                basePermissions,
                source.RoleOverrides.TryGetValue(data.EveryoneRoleId, out var e) ? e : null,
                RolesOf(data, userId).Where(source.RoleOverrides.ContainsKey).Select(id => source.RoleOverrides[id]),
                source.UserOverrides.TryGetValue(userId, out var u) ? u : null);
        }

        return ApplyTimeout(permissions, IsTimedOut(data, userId, now) && userId != data.OwnerId);
    }

    public static bool IsTimedOut(CommunityPermissionData data, string userId, DateTimeOffset now) =>
        data.Timeouts.TryGetValue(userId, out var until) && until > now;

    /// <summary>The member's highest role position: the owner is above everyone, a member without roles is at 0 (@everyone).</summary>
    public static int HighestPosition(CommunityPermissionData data, string userId)
    {
        if (userId == data.OwnerId)
        {
            return int.MaxValue;
        }

        var highest = 0;
        foreach (var id in RolesOf(data, userId))
        {
            if (data.Roles.TryGetValue(id, out var role) && role.Position > highest)
            {
                highest = role.Position;
            }
        }

        return highest;
    }

    public static bool Has(long permissions, long needed) => (permissions & needed) == needed;
}
