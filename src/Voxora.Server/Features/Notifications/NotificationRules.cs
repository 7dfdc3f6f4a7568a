using Voxora.Protocol;

namespace Voxora.Server.Features.Notifications;

/// <summary>How a message mentions one recipient: not at all, by name or by one of their roles, or only through <c>@everyone</c>/<c>@here</c>.</summary>
public enum MentionKind
{
    None,
    Direct,
    Everyone,
}

/// <summary>A recipient's stored settings for one channel: the community row and the channel row, either absent (defaults).</summary>
public sealed record RecipientSettings(
    string? CommunityLevel,
    DateTimeOffset? CommunityMutedUntil,
    bool SuppressEveryone,
    string? ChannelLevel,
    DateTimeOffset? ChannelMutedUntil);

/// <summary>
/// The one notification decision (pure): does this message notify this recipient? The caller has already established
/// that the recipient may view the channel; nothing here widens who can be notified, it only narrows.
/// </summary>
public static class NotificationRules
{
    /// <summary>With no settings stored: notify on mentions only (the default).</summary>
    public const string DefaultLevel = NotificationLevels.Mentions;

    /// <summary>The channel's level unless it inherits, then the community's, then the default.</summary>
    public static string EffectiveLevel(RecipientSettings settings) =>
        settings.ChannelLevel is { } channel && channel != NotificationLevels.Inherit ? channel
        : settings.CommunityLevel ?? DefaultLevel;

    /// <summary>Muting the community mutes each of its channels; muting a channel mutes only it. A mute ends at its time.</summary>
    public static bool IsMuted(RecipientSettings settings, DateTimeOffset now) =>
        settings.CommunityMutedUntil > now || settings.ChannelMutedUntil > now;

    public static bool ShouldNotify(bool isAuthor, RecipientSettings settings, MentionKind mention, DateTimeOffset now)
    {
        if (isAuthor || IsMuted(settings, now))
        {
            return false;
        }

        return EffectiveLevel(settings) switch
        {
            NotificationLevels.All => true,
            NotificationLevels.Mentions => mention == MentionKind.Direct || (mention == MentionKind.Everyone && !settings.SuppressEveryone),
            _ => false,
        };
    }

    public static bool IsCommunityLevel(string? level) =>
        level is NotificationLevels.All or NotificationLevels.Mentions or NotificationLevels.Nothing;

    public static bool IsChannelLevel(string? level) => level is NotificationLevels.Inherit || IsCommunityLevel(level);

    /// <summary>The longest a mute may be set for; "until I turn it back on" is no end time (a very long one would be the same, with a date to show).</summary>
    public static readonly TimeSpan MaxMute = TimeSpan.FromDays(366);
}
