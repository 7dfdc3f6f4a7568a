namespace Voxora.Server.Gateway;

/// <summary>How the members of a community audience are chosen on each node (every node decides for its own sessions).</summary>
public enum AudienceRule
{
    /// <summary>Every member, or with a channel every member who may view it now.</summary>
    Members = 0,

    /// <summary>The members who could view the channel just before it was deleted.</summary>
    DeletedChannelViewers = 1,

    /// <summary>The members holding <see cref="Audience.Permission"/> community-wide, and <see cref="Audience.AlsoUserId"/>.</summary>
    PermissionHolders = 2,
}

/// <summary>
/// Who may receive a dispatch. Community audiences are resolved where the sessions are, against that node's own
/// permission snapshot, never as a list of user ids picked by the node that published: on a cluster the publisher
/// does not know who is connected elsewhere.
/// </summary>
public readonly record struct Audience
{
    private Audience(string? communityId, string? channelId, IReadOnlyList<string>? userIds, AudienceRule rule = AudienceRule.Members, long permission = 0, string? alsoUserId = null,
        string? exceptUserId = null)
    {
        CommunityId = communityId;
        ChannelId = channelId;
        UserIds = userIds;
        Rule = rule;
        Permission = permission;
        AlsoUserId = alsoUserId;
        ExceptUserId = exceptUserId;
    }

    /// <summary>Members of this community with a live connection.</summary>
    public string? CommunityId { get; }

    /// <summary>When set, the event concerns this channel of <see cref="CommunityId"/> (visibility rules apply per channel).</summary>
    public string? ChannelId { get; }

    /// <summary>Exactly these users (all their connections).</summary>
    public IReadOnlyList<string>? UserIds { get; }

    public AudienceRule Rule { get; }

    /// <summary>For <see cref="AudienceRule.PermissionHolders"/>: the community-wide permission bit(s) required.</summary>
    public long Permission { get; }

    /// <summary>For <see cref="AudienceRule.PermissionHolders"/>: one more member who gets it regardless (e.g. an invite's creator).</summary>
    public string? AlsoUserId { get; }

    /// <summary>For a channel audience: one user who never gets it, on any of their connections (e.g. the typist of TYPING_START).</summary>
    public string? ExceptUserId { get; }

    public static Audience Community(string communityId) => new(communityId, null, null);

    public static Audience Channel(string communityId, string channelId) => new(communityId, channelId, null);

    /// <summary>The members who may view the channel now, except <paramref name="exceptUserId"/>.</summary>
    public static Audience ChannelExcept(string communityId, string channelId, string exceptUserId) =>
        new(communityId, channelId, null, exceptUserId: exceptUserId);

    /// <summary>The members who could view <paramref name="channelId"/> just before it was deleted (its CHANNEL_DELETE).</summary>
    public static Audience DeletedChannel(string communityId, string channelId) =>
        new(communityId, channelId, null, AudienceRule.DeletedChannelViewers);

    /// <summary>The members holding <paramref name="permission"/> community-wide, plus <paramref name="alsoUserId"/>.</summary>
    public static Audience PermissionHolders(string communityId, long permission, string? alsoUserId) =>
        new(communityId, null, null, AudienceRule.PermissionHolders, permission, alsoUserId);

    /// <summary>
    /// A channel's readers: for a community channel <see cref="Channel"/> (or <see cref="ChannelExcept"/>), for a direct
    /// channel (no community) exactly its participants, which the publisher knows from the access check, minus
    /// <paramref name="exceptUserId"/>.
    /// </summary>
    public static Audience ChannelOf(string? communityId, string channelId, IReadOnlyList<string>? directRecipients, string? exceptUserId = null)
    {
        if (communityId is not null)
        {
            return exceptUserId is null ? Channel(communityId, channelId) : ChannelExcept(communityId, channelId, exceptUserId);
        }

        var recipients = directRecipients ?? [];
        return Users(exceptUserId is null ? recipients : recipients.Where(id => id != exceptUserId).ToList());
    }

    public static Audience User(string userId) => new(null, null, [userId]);

    public static Audience Users(IReadOnlyList<string> userIds) => new(null, null, userIds);

    /// <summary>Rebuilds a community audience read from the bus.</summary>
    internal static Audience Of(string communityId, string? channelId, AudienceRule rule, long permission, string? alsoUserId, string? exceptUserId = null) =>
        new(communityId, channelId, null, rule, permission, alsoUserId, exceptUserId);
}
