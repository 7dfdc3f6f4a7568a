namespace Voxora.Protocol;

/// <summary>Notification levels: what in a community (or channel) counts as a notification for a person.</summary>
public static class NotificationLevels
{
    public const string All = "all";
    public const string Mentions = "mentions";
    public const string Nothing = "nothing";

    /// <summary>A channel's level only: follow the community's.</summary>
    public const string Inherit = "inherit";
}

/// <summary>
/// <c>GET /users/@me/notification-settings</c>: every community and channel the caller changed from the defaults
/// (community: <c>mentions</c>, not muted, <c>@everyone</c> not suppressed; channel: <c>inherit</c>, not muted), and
/// the user-wide <c>show_previews</c> (message text in pushes from channels not every member can view; default off).
/// </summary>
public sealed record NotificationSettings(
    IReadOnlyList<CommunityNotificationSettings> Communities,
    IReadOnlyList<ChannelNotificationSettings> Channels,
    bool ShowPreviews);

public sealed record CommunityNotificationSettings(string CommunityId, string Level, DateTimeOffset? MutedUntil, bool SuppressEveryone);

public sealed record ChannelNotificationSettings(string ChannelId, string CommunityId, string Level, DateTimeOffset? MutedUntil);

/// <summary><c>PUT /communities/{id}/notification-settings</c>: replaces the caller's settings there; an omitted field takes its default.</summary>
public sealed record UpdateCommunityNotificationSettingsRequest(string? Level = null, DateTimeOffset? MutedUntil = null, bool? SuppressEveryone = null);

/// <summary><c>PUT /channels/{id}/notification-settings</c>: replaces the caller's settings there; an omitted field takes its default.</summary>
public sealed record UpdateChannelNotificationSettingsRequest(string? Level = null, DateTimeOffset? MutedUntil = null);

/// <summary><c>PATCH /users/@me/notification-settings</c>: user-wide preferences.</summary>
public sealed record UpdateNotificationPreferencesRequest(bool? ShowPreviews = null);

/// <summary><c>GET /push/vapid-public-key</c>: the server's VAPID public key (uncompressed P-256 point, base64url), the browser's <c>applicationServerKey</c>.</summary>
public sealed record VapidPublicKey(string PublicKey);

/// <summary><c>POST /users/@me/push-subscriptions</c>: a browser's <c>PushSubscription.toJSON()</c> (endpoint and keys).</summary>
public sealed record CreatePushSubscriptionRequest(string? Endpoint, PushSubscriptionKeys? Keys);

public sealed record PushSubscriptionKeys(string? P256dh, string? Auth);

public sealed record PushSubscription(string Id, string Endpoint, DateTimeOffset CreatedAt);

/// <summary>
/// What a Web Push carries (encrypted, RFC 8291): <c>body</c> is the message text only where the settings allow
/// (see docs/protocol.md), otherwise "New message in #channel"; <c>url</c> is the client route to open on click.
/// </summary>
public sealed record PushPayload(string Title, string Body, string? CommunityId, string ChannelId, string MessageId, int Count, string Url);
