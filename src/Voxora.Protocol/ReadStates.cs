namespace Voxora.Protocol;

/// <summary><c>PUT /channels/{id}/read</c>: the newest message the user has seen; it must be a message of that channel.</summary>
public sealed record MarkReadRequest(string? MessageId);

/// <summary>
/// <c>GET /unread-counts</c>: one entry per text channel the user can view, in every community they belong to.
/// <c>last_updated</c> is when the counts were taken.
/// </summary>
public sealed record UnreadCounts(IReadOnlyList<ChannelUnread> Channels, DateTimeOffset LastUpdated);

/// <summary>
/// Unread state of one channel: messages by others after the user's read marker (and after they joined), those of
/// them that mention the user, and the channel's newest message id (null when it has none).
/// </summary>
public sealed record ChannelUnread(string ChannelId, string? CommunityId, int UnreadCount, int MentionCount, string? LastMessageId);

/// <summary>
/// Payload of CHANNEL_READ, sent to every connection of the user who moved their read marker: the new marker and
/// what is still unread after it (usually nothing).
/// </summary>
public sealed record ChannelRead(string ChannelId, string? CommunityId, string LastReadId, int UnreadCount, int MentionCount);
