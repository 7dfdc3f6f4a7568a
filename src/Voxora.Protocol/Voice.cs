namespace Voxora.Protocol;

/// <summary><c>GET /api/v1/voice/status</c>: whether voice can be used on this server, and if not, why.</summary>
public sealed record VoiceStatus(bool Available, string? Reason = null);

/// <summary>
/// <c>PATCH /api/v1/communities/{id}/voice-states/{user_id}</c>: a moderator's change to a member's voice state.
/// <c>server_mute</c> needs VOICE_MUTE_OTHERS, <c>server_deaf</c> VOICE_DEAFEN_OTHERS (both persist on the member
/// until lifted); <c>channel_id</c> moves the member (VOICE_MOVE_OTHERS), and an explicit <c>null</c> disconnects them.
/// </summary>
public sealed record ModerateVoiceStateRequest
{
    private string? channelId;

    public bool? ServerMute { get; set; }

    public bool? ServerDeaf { get; set; }

    // A plain setter, not init: the JSON source generator calls setters only for properties present in the body,
    // while init-only properties are all assigned (missing ones as null), which would hide "channel_id": null.
    public string? ChannelId
    {
        get => channelId;
        set
        {
            channelId = value;
            ChannelIdGiven = true;
        }
    }

    /// <summary>True when the body named <c>channel_id</c> at all (null then means "disconnect").</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool ChannelIdGiven { get; private set; }
}

/// <summary>One entry of <c>RTCConfiguration.iceServers</c>. TURN entries carry coturn REST credentials.</summary>
public sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

/// <summary>
/// <c>POST /api/v1/voice/ice-servers</c>: ICE servers for a browser's <c>RTCPeerConnection</c>.
/// <c>Ttl</c> is how many seconds the TURN credentials stay valid; clients refresh before that.
/// </summary>
public sealed record IceServersResponse(IReadOnlyList<IceServer> IceServers, int Ttl);

/// <summary>
/// Gateway op 4 VOICE_STATE_UPDATE (client → server): join or move to <c>channel_id</c>, change self mute/deaf
/// in the current channel, or leave with <c>channel_id: null</c>. Omitted flags keep their current value (false on join).
/// </summary>
public sealed record VoiceStateUpdateRequest(string? ChannelId, bool? SelfMute = null, bool? SelfDeaf = null);

/// <summary>
/// DISPATCH VOICE_STATE_UPDATE: a member's voice state in a community. <c>channel_id</c> null (always written) means they left voice.
/// </summary>
public sealed record VoiceState(
    string CommunityId,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? ChannelId,
    string UserId,
    bool SelfMute,
    bool SelfDeaf,
    bool ServerMute,
    bool ServerDeaf);

/// <summary>
/// Gateway op 5 VOICE_SERVER (server → the joining session): the voice session to signal on and the ICE
/// servers for both PeerConnections (<c>ttl</c>: seconds the TURN credentials stay valid).
/// </summary>
public sealed record VoiceServerPayload(string ChannelId, string VoiceSessionId, IReadOnlyList<IceServer> IceServers, int Ttl);

/// <summary>One ICE candidate as <c>RTCIceCandidate.toJSON()</c> spells it.</summary>
public sealed record VoiceIceCandidate(
    [property: System.Text.Json.Serialization.JsonPropertyName("candidate")] string? Candidate,
    [property: System.Text.Json.Serialization.JsonPropertyName("sdpMid")] string? SdpMid = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("sdpMLineIndex")] int? SdpMLineIndex = null);

/// <summary>
/// Gateway op 13 VOICE_SIGNAL (client → server) and DISPATCH VOICE_SIGNAL (server → that session only).
/// <c>pc</c>: <c>"send"</c> (the publishing PeerConnection) or <c>"recv"</c> (the one receiving everyone else).
/// <c>type</c>: <c>"offer"</c>, <c>"answer"</c> (with <c>sdp</c>) or <c>"candidate"</c> (with <c>candidate</c>; null = end of candidates).
/// </summary>
public sealed record VoiceSignal(string? VoiceSessionId, string? Pc, string? Type, string? Sdp = null, VoiceIceCandidate? Candidate = null);

/// <summary>DISPATCH VOICE_SPEAKING: Janus's audio-level detection started or stopped hearing a member.</summary>
public sealed record VoiceSpeaking(string CommunityId, string ChannelId, string UserId, bool Speaking);

/// <summary>
/// DISPATCH VOICE_ERROR (to the session that asked): an op 4 or op 13 was refused; the connection stays open.
/// <c>code</c>: see docs/protocol.md ("Voice").
/// </summary>
public sealed record VoiceError(string? ChannelId, string Code, string Message);

/// <summary>VOICE_ERROR codes.</summary>
public static class VoiceErrorCodes
{
    public const string Unavailable = "voice_unavailable";
    public const string UnknownChannel = "unknown_channel";
    public const string NotVoiceChannel = "not_voice_channel";
    public const string MissingPermissions = "missing_permissions";
    public const string TimedOut = "timed_out";
    public const string ChannelFull = "channel_full";
    public const string NotInVoice = "not_in_voice";
    public const string InvalidSignal = "invalid_signal";
    public const string MediaFailed = "media_failed";

    /// <summary>A moderator disconnected the member, or they lost access to the channel.</summary>
    public const string Disconnected = "disconnected";
}
