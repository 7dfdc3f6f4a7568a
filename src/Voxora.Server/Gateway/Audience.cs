namespace Voxora.Server.Gateway;

/// <summary>Who may receive a dispatch.</summary>
public readonly record struct Audience
{
    private Audience(string? communityId, string? channelId, IReadOnlyList<string>? userIds)
    {
        CommunityId = communityId;
        ChannelId = channelId;
        UserIds = userIds;
    }

    /// <summary>Members of this community with a live connection.</summary>
    public string? CommunityId { get; }

    /// <summary>When set, the event concerns this channel of <see cref="CommunityId"/> (visibility rules apply per channel).</summary>
    public string? ChannelId { get; }

    /// <summary>Exactly these users (all their connections).</summary>
    public IReadOnlyList<string>? UserIds { get; }

    public static Audience Community(string communityId) => new(communityId, null, null);

    public static Audience Channel(string communityId, string channelId) => new(communityId, channelId, null);

    public static Audience User(string userId) => new(null, null, [userId]);

    public static Audience Users(IReadOnlyList<string> userIds) => new(null, null, userIds);
}
