namespace Voxora.Protocol;

/// <summary>
/// A direct message channel: <c>type</c> 2 (one-to-one) or 3 (group, up to 10 people). It belongs to no community.
/// <c>recipients</c> lists every participant, the reader included; <c>owner_id</c> is the group's owner (who may add
/// and remove people), null for a one-to-one DM; <c>name</c> is a group's name, null when it has none.
/// <c>last_message_id</c> is the newest message (null when there is none), for ordering conversations.
/// </summary>
public sealed record DirectChannel(
    string Id,
    int Type,
    string? Name,
    string? OwnerId,
    IReadOnlyList<UserSummary> Recipients,
    string? LastMessageId,
    DateTimeOffset CreatedAt);

/// <summary>
/// <c>POST /users/@me/channels</c>: <c>recipient_id</c> opens (or returns) the one-to-one DM with that user;
/// <c>recipient_ids</c> (1 to 9 other people) creates a group DM, optionally with a <c>name</c>.
/// </summary>
public sealed record CreateDirectChannelRequest(string? RecipientId = null, IReadOnlyList<string>? RecipientIds = null, string? Name = null);

/// <summary><c>PATCH /channels/{id}</c> on a group DM: <c>name</c> "" clears it.</summary>
public sealed record UpdateDirectChannelRequest(string? Name = null);

/// <summary>Payload of CHANNEL_RECIPIENT_ADD and CHANNEL_RECIPIENT_REMOVE.</summary>
public sealed record ChannelRecipient(string ChannelId, UserSummary User);

/// <summary><c>GET|PATCH /users/@me/settings</c>: privacy settings. <c>allow_dms_from_members</c> (default true): people who share a community may open a DM with you.</summary>
public sealed record UserSettings(bool AllowDmsFromMembers);

public sealed record UpdateUserSettingsRequest(bool? AllowDmsFromMembers = null);

/// <summary>One person the user blocked.</summary>
public sealed record BlockedUser(UserSummary User, DateTimeOffset CreatedAt);

/// <summary>A community two people share (on a profile).</summary>
public sealed record SharedCommunity(string Id, string Name, IReadOnlyList<string> Roles);

/// <summary>
/// <c>GET /users/{id}/profile</c>: what the caller may know about another person: names, the communities both share
/// (with that person's role ids in each), and whether the caller blocked them.
/// </summary>
public sealed record UserProfile(UserSummary User, IReadOnlyList<SharedCommunity> SharedCommunities, bool Blocked);
