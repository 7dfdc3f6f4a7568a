using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Presence;

/// <summary>Presence settings (<c>VOXORA_PRESENCE__*</c>).</summary>
public sealed class PresenceOptions
{
    /// <summary>
    /// Seconds after a user's last gateway connection closes before <c>offline</c> is announced; a reconnect within
    /// them announces nothing (no flicker). <c>VOXORA_PRESENCE__GRACE_SECONDS</c>.
    /// </summary>
    [ConfigurationKeyName("GRACE_SECONDS")]
    public int GraceSeconds { get; set; } = 30;

    public IEnumerable<string> Validate()
    {
        if (GraceSeconds is < 0 or > 600)
        {
            yield return "VOXORA_PRESENCE__GRACE_SECONDS must be between 0 and 600.";
        }
    }
}
