using System.Net;
using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// Voice settings (<c>VOXORA_VOICE__*</c>). By default the server runs its own Janus as a child process;
/// <see cref="JanusUrl"/> points at external Janus servers instead.
/// </summary>
public sealed class VoiceOptions
{
    /// <summary>Master switch. <c>VOXORA_VOICE__ENABLED</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// One or more comma-separated <c>ws://</c>/<c>wss://</c> URLs of external Janus servers. Empty: start and supervise
    /// a local Janus. <c>VOXORA_VOICE__JANUS_URL</c>.
    /// </summary>
    [ConfigurationKeyName("JANUS_URL")]
    public string? JanusUrl { get; set; }

    /// <summary>The external servers' <c>api_secret</c>, if they have one. <c>VOXORA_VOICE__JANUS_API_SECRET</c>.</summary>
    [ConfigurationKeyName("JANUS_API_SECRET")]
    public string? JanusApiSecret { get; set; }

    /// <summary>The external servers' VideoRoom <c>admin_key</c>, if set. <c>VOXORA_VOICE__JANUS_ADMIN_KEY</c>.</summary>
    [ConfigurationKeyName("JANUS_ADMIN_KEY")]
    public string? JanusAdminKey { get; set; }

    /// <summary>The Janus executable for the local child process. <c>VOXORA_VOICE__JANUS_BINARY</c>.</summary>
    [ConfigurationKeyName("JANUS_BINARY")]
    public string JanusBinary { get; set; } = "janus";

    /// <summary>
    /// Folder holding Janus's <c>libjanus_*.so</c> plugins and transports (Debian: <c>/usr/lib/&lt;triplet&gt;/janus</c>).
    /// Empty: found next to the binary or in the usual places. <c>VOXORA_VOICE__JANUS_LIB_DIR</c>.
    /// </summary>
    [ConfigurationKeyName("JANUS_LIB_DIR")]
    public string? JanusLibDir { get; set; }

    /// <summary>First UDP port Janus uses for media. <c>VOXORA_VOICE__RTP_PORT_MIN</c>.</summary>
    [ConfigurationKeyName("RTP_PORT_MIN")]
    public int RtpPortMin { get; set; } = 20000;

    /// <summary>Last UDP port Janus uses for media. <c>VOXORA_VOICE__RTP_PORT_MAX</c>.</summary>
    [ConfigurationKeyName("RTP_PORT_MAX")]
    public int RtpPortMax { get; set; } = 20999;

    /// <summary>Public IP(s) to advertise when Janus sits behind a 1:1 NAT (cloud VMs). <c>VOXORA_VOICE__NAT_1_1</c>.</summary>
    [ConfigurationKeyName("NAT_1_1")]
    public string? Nat11 { get; set; }

    /// <summary>STUN server (host:port) Janus itself uses to learn its public address. <c>VOXORA_VOICE__JANUS_STUN</c>.</summary>
    [ConfigurationKeyName("JANUS_STUN")]
    public string? JanusStun { get; set; }

    /// <summary>Only gather ICE candidates on these interfaces/addresses (comma separated). <c>VOXORA_VOICE__ICE_ENFORCE_LIST</c>.</summary>
    [ConfigurationKeyName("ICE_ENFORCE_LIST")]
    public string? IceEnforceList { get; set; }

    /// <summary>Never gather ICE candidates on these interfaces/addresses. <c>VOXORA_VOICE__ICE_IGNORE_LIST</c>.</summary>
    [ConfigurationKeyName("ICE_IGNORE_LIST")]
    public string IceIgnoreList { get; set; } = "vmnet,docker";

    /// <summary>STUN URLs handed to browsers (comma separated, e.g. <c>stun:turn.example.org:3478</c>). <c>VOXORA_VOICE__STUN_URLS</c>.</summary>
    [ConfigurationKeyName("STUN_URLS")]
    public string? StunUrls { get; set; }

    /// <summary>TURN URLs handed to browsers (comma separated). <c>VOXORA_VOICE__TURN_URLS</c>.</summary>
    [ConfigurationKeyName("TURN_URLS")]
    public string? TurnUrls { get; set; }

    /// <summary>coturn's <c>static-auth-secret</c>; TURN entries are only handed out when set. <c>VOXORA_VOICE__TURN_SECRET</c>.</summary>
    [ConfigurationKeyName("TURN_SECRET")]
    public string? TurnSecret { get; set; }

    /// <summary>How long TURN credentials stay valid, in seconds. <c>VOXORA_VOICE__TURN_TTL_SECONDS</c>.</summary>
    [ConfigurationKeyName("TURN_TTL_SECONDS")]
    public int TurnTtlSeconds { get; set; } = 43_200;

    /// <summary>
    /// Opus bitrate (bits per second) given to new voice channels that do not name one; each channel keeps its own
    /// (<c>bitrate</c>). <c>VOXORA_VOICE__DEFAULT_BITRATE</c>.
    /// </summary>
    [ConfigurationKeyName("DEFAULT_BITRATE")]
    public int DefaultBitrate { get; set; } = 64_000;

    /// <summary>Packets Janus averages before a "talking" event (50 ≈ 1 s of Opus). <c>VOXORA_VOICE__AUDIO_ACTIVE_PACKETS</c>.</summary>
    [ConfigurationKeyName("AUDIO_ACTIVE_PACKETS")]
    public int AudioActivePackets { get; set; } = 50;

    /// <summary>Average level (dBov, 0 loudest … 127 silence) under which a publisher is talking. <c>VOXORA_VOICE__AUDIO_LEVEL_AVERAGE</c>.</summary>
    [ConfigurationKeyName("AUDIO_LEVEL_AVERAGE")]
    public int AudioLevelAverage { get; set; } = 40;

    /// <summary>Seconds to wait for any single Janus request. <c>VOXORA_VOICE__REQUEST_TIMEOUT_SECONDS</c>.</summary>
    [ConfigurationKeyName("REQUEST_TIMEOUT_SECONDS")]
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>Longest wait between restarts of a failing Janus. <c>VOXORA_VOICE__MAX_RESTART_DELAY_SECONDS</c>.</summary>
    [ConfigurationKeyName("MAX_RESTART_DELAY_SECONDS")]
    public int MaxRestartDelaySeconds { get; set; } = 30;

    public IReadOnlyList<Uri> JanusUrls => Split(JanusUrl).Select(u => new Uri(u)).ToList();
    public IReadOnlyList<string> StunUrlList => Split(StunUrls);
    public IReadOnlyList<string> TurnUrlList => Split(TurnUrls);
    public bool UsesExternalJanus => !string.IsNullOrWhiteSpace(JanusUrl);

    internal static string[] Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Several nodes must meet their members in the same Janus rooms, so they share external Janus servers: the local
    /// child process serves the node that started it only.
    /// </summary>
    public IEnumerable<string> ValidateCluster(bool clustered)
    {
        if (clustered && Enabled && !UsesExternalJanus)
        {
            yield return "VOXORA_REDIS__CONFIGURATION is set and voice is on, but the local Janus serves one node only: " +
                "set VOXORA_VOICE__JANUS_URL to the Janus servers every node shares, or VOXORA_VOICE__ENABLED=false.";
        }
    }

    public IEnumerable<string> Validate()
    {
        foreach (var url in Split(JanusUrl))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss"))
                yield return $"VOXORA_VOICE__JANUS_URL holds '{url}', which is not a ws:// or wss:// URL.";
        }

        if (RtpPortMin is < 1024 or > 65535 || RtpPortMax is < 1024 or > 65535 || RtpPortMin > RtpPortMax)
            yield return $"VOXORA_VOICE__RTP_PORT_MIN/MAX must be a range within 1024–65535, not {RtpPortMin}–{RtpPortMax}.";
        foreach (var ip in Split(Nat11))
        {
            if (!IPAddress.TryParse(ip, out _))
                yield return $"VOXORA_VOICE__NAT_1_1 holds '{ip}', which is not an IP address.";
        }

        foreach (var url in Split(StunUrls))
        {
            if (!url.StartsWith("stun:", StringComparison.Ordinal) && !url.StartsWith("stuns:", StringComparison.Ordinal))
                yield return $"VOXORA_VOICE__STUN_URLS holds '{url}', which is not a stun: or stuns: URL.";
        }

        foreach (var url in Split(TurnUrls))
        {
            if (!url.StartsWith("turn:", StringComparison.Ordinal) && !url.StartsWith("turns:", StringComparison.Ordinal))
                yield return $"VOXORA_VOICE__TURN_URLS holds '{url}', which is not a turn: or turns: URL.";
        }

        if (Split(TurnUrls).Length > 0 && string.IsNullOrEmpty(TurnSecret))
            yield return "VOXORA_VOICE__TURN_URLS is set but VOXORA_VOICE__TURN_SECRET is not; TURN needs the shared secret.";
        if (TurnTtlSeconds is < 60 or > 604_800)
            yield return $"VOXORA_VOICE__TURN_TTL_SECONDS must be between 60 and 604800, not {TurnTtlSeconds}.";
        if (DefaultBitrate is < Channels.ChannelRules.BitrateMin or > Channels.ChannelRules.BitrateMax)
            yield return $"VOXORA_VOICE__DEFAULT_BITRATE must be between {Channels.ChannelRules.BitrateMin} and {Channels.ChannelRules.BitrateMax}, not {DefaultBitrate}.";
        if (AudioActivePackets is < 5 or > 1000)
            yield return $"VOXORA_VOICE__AUDIO_ACTIVE_PACKETS must be between 5 and 1000, not {AudioActivePackets}.";
        if (AudioLevelAverage is < 1 or > 127)
            yield return $"VOXORA_VOICE__AUDIO_LEVEL_AVERAGE must be between 1 and 127, not {AudioLevelAverage}.";
        if (RequestTimeoutSeconds is < 1 or > 120)
            yield return $"VOXORA_VOICE__REQUEST_TIMEOUT_SECONDS must be between 1 and 120, not {RequestTimeoutSeconds}.";
        if (MaxRestartDelaySeconds is < 1 or > 600)
            yield return $"VOXORA_VOICE__MAX_RESTART_DELAY_SECONDS must be between 1 and 600, not {MaxRestartDelaySeconds}.";
    }
}
