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

    /// <summary>
    /// READY leaves out the presences of a community with more members online than this; READY names it in
    /// <c>lazy_presence_community_ids</c> and the client pages them with <c>GET /communities/{id}/presences</c> when it
    /// needs them. <c>VOXORA_PRESENCE__READY_LIMIT_PER_COMMUNITY</c>.
    /// </summary>
    [ConfigurationKeyName("READY_LIMIT_PER_COMMUNITY")]
    public int ReadyLimitPerCommunity { get; set; } = PresenceRules.ReadyLimitPerCommunity;

    public IEnumerable<string> Validate()
    {
        if (GraceSeconds is < 0 or > 600)
        {
            yield return "VOXORA_PRESENCE__GRACE_SECONDS must be between 0 and 600.";
        }

        if (ReadyLimitPerCommunity is < 1 or > 100_000)
        {
            yield return "VOXORA_PRESENCE__READY_LIMIT_PER_COMMUNITY must be between 1 and 100000.";
        }
    }
}
