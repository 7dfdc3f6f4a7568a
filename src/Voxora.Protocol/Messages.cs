namespace Voxora.Protocol;

/// <summary>
/// A message. Ids are Snowflakes sent as decimal strings (JavaScript numbers lose precision above 2^53).
/// <c>reactions[].me</c> is only filled in REST answers; gateway payloads are shared by all recipients.
/// <c>mentions</c> are the mentioned members, <c>mention_roles</c> the mentioned roles of the community, and
/// <c>community_id</c> is null in a direct message channel.
/// <c>mention_everyone</c> is true when the text says <c>@everyone</c> or <c>@here</c> and its author held MENTION_EVERYONE.
/// <c>type</c> is one of <see cref="MessageTypes"/>; for a <see cref="MessageTypes.ChannelPinnedMessage"/> the author is who
/// pinned, the content is empty and <c>reply_to</c> is the pinned message. <c>pinned_at</c> is set while the message is pinned.
/// </summary>
public sealed record Message(
    string Id,
    string ChannelId,
    string? CommunityId,
    UserSummary Author,
    string Content,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    string? ReplyTo,
    IReadOnlyList<string> Mentions,
    IReadOnlyList<ReactionCount> Reactions,
    string? Nonce = null,
    IReadOnlyList<string>? MentionRoles = null,
    bool MentionEveryone = false,
    int Type = MessageTypes.Default,
    bool Pinned = false,
    DateTimeOffset? PinnedAt = null,
    ThreadSummary? Thread = null,
    IReadOnlyList<Attachment>? Attachments = null,
    IReadOnlyList<Embed>? Embeds = null)
{
    /// <summary>Always present on the wire (an empty list when none).</summary>
    public IReadOnlyList<Attachment> Attachments { get; init; } = Attachments ?? [];

    /// <summary>Always present on the wire (an empty list when none), like <see cref="Mentions"/>.</summary>
    public IReadOnlyList<string> MentionRoles { get; init; } = MentionRoles ?? [];

    /// <summary>Link previews the server fetched for the URLs of the content (always present; empty when none, or removed).</summary>
    public IReadOnlyList<Embed> Embeds { get; init; } = Embeds ?? [];
}

/// <summary>
/// A link preview (seed 000 §P2-6), filled in by the server after the message was sent and delivered with MESSAGE_UPDATE.
/// <c>type</c> is <c>"link"</c>; <c>url</c> is the link as written. <c>thumbnail_url</c> is never the remote image: it points
/// at this server's signed, expiring <c>/api/v1/media/proxy</c>, so readers' addresses are not leaked to the linked site.
/// <c>color</c> is the page's theme colour as 0xRRGGBB. Fields the page did not give are left out.
/// </summary>
public sealed record Embed(
    string Type,
    string Url,
    string? Title = null,
    string? Description = null,
    string? ThumbnailUrl = null,
    string? SiteName = null,
    int? Color = null);

/// <summary>Values of <see cref="Message.Type"/> (Discord's numbering, so bots and clients read them alike).</summary>
public static class MessageTypes
{
    /// <summary>Written by a person.</summary>
    public const int Default = 0;

    /// <summary>System line "alice pinned a message": written by the server when a message is pinned.</summary>
    public const int ChannelPinnedMessage = 6;
}

public sealed record ReactionCount(string Emoji, int Count, bool? Me = null);

/// <summary>
/// <c>POST /channels/{id}/messages</c>. <c>nonce</c> is echoed back; with <c>enforce_nonce: true</c> a repeat of the same
/// author's nonce in the channel within 5 minutes returns the first message (200) instead of creating another.
/// <c>attachments</c> names up to 10 uploaded attachments (<c>att_…</c>) of the sender for this channel; with attachments the
/// content may be empty.
/// </summary>
public sealed record CreateMessageRequest(string? Content, string? Nonce = null, string? ReplyTo = null, bool? EnforceNonce = null,
    IReadOnlyList<string>? Attachments = null);

public sealed record UpdateMessageRequest(string? Content);

/// <summary>Payload of MESSAGE_DELETE.</summary>
public sealed record MessageDeleted(string Id, string ChannelId, string? CommunityId);

/// <summary>Payload of MESSAGE_REACTION_ADD and MESSAGE_REACTION_REMOVE.</summary>
public sealed record ReactionEvent(string MessageId, string ChannelId, string? CommunityId, string UserId, string Emoji);

/// <summary>
/// Payload of CHANNEL_PINS_UPDATE: a message of the channel was pinned or unpinned. <c>last_pin_timestamp</c> is when the
/// newest remaining pin was made, absent when the channel has no pins left.
/// </summary>
public sealed record ChannelPinsUpdate(string ChannelId, string? CommunityId, DateTimeOffset? LastPinTimestamp);
