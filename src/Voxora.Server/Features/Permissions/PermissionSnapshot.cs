using Voxora.Protocol;
using ChannelEntity = Voxora.Server.Features.Channels.ChannelEntity;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// An immutable, in-memory picture of one community's roles, member roles, timeouts, channels and
/// overrides, with results cached so the hot checks (may this user post here? may this recipient see
/// this event?) cost a dictionary lookup or two and no database query. Members sharing the same set of
/// roles share one cached row per channel, so the cache is bounded by role combinations × channels, not
/// by members. A change to any of that data replaces the whole snapshot (<see cref="PermissionCache"/>).
/// </summary>
public sealed class PermissionSnapshot
{
    private const long NotComputed = -1;

    private readonly Dictionary<string, int> channelIndex;
    private readonly ChannelInfo[] sources;
    private readonly Dictionary<string, RoleSet> roleSetsByUser;
    private readonly RoleSet everyoneOnly;
    private readonly Dictionary<string, ChannelEntity> entities;

    public PermissionSnapshot(CommunityPermissionData data, IReadOnlyList<Channel> channels, IReadOnlyList<ChannelEntity>? channelEntities = null)
    {
        Data = data;
        // Threads are resolved like channels (they follow their parent's overrides) but are not listed with them:
        // channel lists, READY and visibility announcements carry the community's channels, not its threads.
        Channels = channels.Any(c => c.Type == ChannelTypes.Thread) ? channels.Where(c => c.Type != ChannelTypes.Thread).ToList() : channels;
        entities = channelEntities?.ToDictionary(c => c.Id, StringComparer.Ordinal) ?? new Dictionary<string, ChannelEntity>(StringComparer.Ordinal);
        channelIndex = new Dictionary<string, int>(channels.Count, StringComparer.Ordinal);
        sources = new ChannelInfo[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            channelIndex[channels[i].Id] = i;
            sources[i] = data.Channels.TryGetValue(channels[i].Id, out var info)
                ? PermissionResolver.OverrideSource(data, info)
                : new ChannelInfo(channels[i].Id, null, false, new Dictionary<string, OverrideRule>(), new Dictionary<string, OverrideRule>());
        }

        var byKey = new Dictionary<string, RoleSet>(StringComparer.Ordinal);
        everyoneOnly = NewRoleSet([]);
        byKey[""] = everyoneOnly;
        roleSetsByUser = new Dictionary<string, RoleSet>(data.MemberRoles.Count, StringComparer.Ordinal);
        foreach (var (userId, roles) in data.MemberRoles)
        {
            var ids = roles.Where(data.Roles.ContainsKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var key = string.Join(',', ids);
            if (!byKey.TryGetValue(key, out var set))
            {
                set = NewRoleSet(ids);
                byKey[key] = set;
            }

            roleSetsByUser[userId] = set;
        }
    }

    public CommunityPermissionData Data { get; }

    /// <summary>Every channel of the community in display order (position, then id), without threads.</summary>
    public IReadOnlyList<Channel> Channels { get; }

    public string CommunityId => Data.CommunityId;

    public bool IsOwner(string userId) => userId == Data.OwnerId;

    public int HighestPosition(string userId) => PermissionResolver.HighestPosition(Data, userId);

    public IReadOnlyList<string> RolesOf(string userId) => PermissionResolver.RolesOf(Data, userId);

    public bool HasChannel(string channelId) => channelIndex.ContainsKey(channelId);

    /// <summary>Is this a thread of the community (a channel of type 5)? False when the snapshot was built without rows.</summary>
    public bool IsThread(string channelId) => entities.TryGetValue(channelId, out var row) && row.Type == ChannelTypes.Thread;

    /// <summary>
    /// A private copy of the channel's row as loaded with this snapshot (callers may attach and change it),
    /// or null when the snapshot was built without rows or the channel is not in the community.
    /// </summary>
    public ChannelEntity? ChannelRow(string channelId) => entities.TryGetValue(channelId, out var row) ? row.Copy() : null;

    /// <summary>Private copies of every channel and thread row of the community (none when built without rows).</summary>
    public IEnumerable<ChannelEntity> ChannelRows() => entities.Values.Select(row => row.Copy());

    /// <summary>The member's community-wide permissions now (timeouts applied).</summary>
    public long Base(string userId, DateTimeOffset now) =>
        IsOwner(userId) ? Permission.All : PermissionResolver.ApplyTimeout(SetOf(userId).Base, PermissionResolver.IsTimedOut(Data, userId, now));

    /// <summary>The member's permissions in a channel now (0 for an unknown channel).</summary>
    public long For(string userId, string channelId, DateTimeOffset now)
    {
        if (IsOwner(userId))
        {
            return Permission.All;
        }

        var permissions = Channel(userId, channelId);
        return PermissionResolver.ApplyTimeout(permissions, PermissionResolver.IsTimedOut(Data, userId, now));
    }

    /// <summary>May this member see the channel (and so its events)? Timeouts never hide a channel.</summary>
    public bool CanView(string userId, string channelId) =>
        IsOwner(userId) || (Channel(userId, channelId) & Permission.ViewChannel) != 0;

    /// <summary>The channels this member may see, in display order.</summary>
    public List<Channel> VisibleChannels(string userId) => Channels.Where(c => CanView(userId, c.Id)).ToList();

    private long Channel(string userId, string channelId)
    {
        if (!channelIndex.TryGetValue(channelId, out var index))
        {
            return 0;
        }

        var set = SetOf(userId);
        var source = sources[index];
        if (source.UserOverrides.Count > 0 && source.UserOverrides.TryGetValue(userId, out var user))
        {
            return Resolve(set, source, user);
        }

        var cached = Volatile.Read(ref set.PerChannel[index]);
        if (cached == NotComputed)
        {
            cached = Resolve(set, source, null);
            Volatile.Write(ref set.PerChannel[index], cached);
        }

        return cached;
    }

    private long Resolve(RoleSet set, ChannelInfo source, OverrideRule? user) =>
        PermissionResolver.Channel(
            set.Base,
            source.RoleOverrides.TryGetValue(Data.EveryoneRoleId, out var everyone) ? everyone : null,
            set.RoleIds.Where(source.RoleOverrides.ContainsKey).Select(id => source.RoleOverrides[id]),
            user);

    private RoleSet SetOf(string userId) => roleSetsByUser.TryGetValue(userId, out var set) ? set : everyoneOnly;

    private RoleSet NewRoleSet(string[] roleIds)
    {
        var everyone = Data.Roles.TryGetValue(Data.EveryoneRoleId, out var e) ? e.Permissions : 0;
        var set = new RoleSet(roleIds, PermissionResolver.Base(false, everyone, roleIds.Select(id => Data.Roles[id].Permissions)), new long[sources.Length]);
        Array.Fill(set.PerChannel, NotComputed);
        return set;
    }

    private sealed record RoleSet(string[] RoleIds, long Base, long[] PerChannel);
}
