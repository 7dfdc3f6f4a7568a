using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Notifications;

/// <summary>Web Push settings (<c>VOXORA_PUSH__*</c>). The VAPID key pair itself lives in the database (<see cref="VapidKeys"/>).</summary>
public sealed class PushOptions
{
    /// <summary>Send Web Pushes at all. Off: subscriptions are still accepted and kept, nothing is sent. <c>VOXORA_PUSH__ENABLED</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The VAPID <c>sub</c> claim (RFC 8292 §2.1): a <c>mailto:</c> or <c>https:</c> contact push services can use to reach
    /// the operator. Empty: the public URL. <c>VOXORA_PUSH__SUBJECT</c>.
    /// </summary>
    public string? Subject { get; set; }

    /// <summary>
    /// Accept <c>http://</c> subscription endpoints on loopback addresses (tests, local push service stand-ins). Never in
    /// production: real push services are https. <c>VOXORA_PUSH__ALLOW_LOOPBACK_HTTP</c>.
    /// </summary>
    [ConfigurationKeyName("ALLOW_LOOPBACK_HTTP")]
    public bool AllowLoopbackHttp { get; set; }

    /// <summary>
    /// Notifications for one person in one channel within this window after the first become one push ("3 new messages
    /// in #general"). <c>VOXORA_PUSH__BATCH_MILLISECONDS</c>.
    /// </summary>
    [ConfigurationKeyName("BATCH_MILLISECONDS")]
    public int BatchMilliseconds { get; set; } = 3000;

    /// <summary>Tries per push and subscription on errors other than 404/410 (which remove the subscription). <c>VOXORA_PUSH__MAX_ATTEMPTS</c>.</summary>
    [ConfigurationKeyName("MAX_ATTEMPTS")]
    public int MaxAttempts { get; set; } = 3;

    public IEnumerable<string> Validate()
    {
        if (Subject is { Length: > 0 } subject && !subject.StartsWith("mailto:", StringComparison.Ordinal)
            && !(Uri.TryCreate(subject, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
        {
            yield return "VOXORA_PUSH__SUBJECT must be a mailto: or https: URL.";
        }

        if (BatchMilliseconds is < 0 or > 60_000)
        {
            yield return "VOXORA_PUSH__BATCH_MILLISECONDS must be between 0 and 60000.";
        }

        if (MaxAttempts is < 1 or > 10)
        {
            yield return "VOXORA_PUSH__MAX_ATTEMPTS must be between 1 and 10.";
        }
    }
}
