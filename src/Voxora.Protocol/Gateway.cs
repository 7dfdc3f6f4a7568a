using System.Text.Json;

namespace Voxora.Protocol;

/// <summary>Gateway opcodes (docs/protocol.md).</summary>
public static class GatewayOp
{
    public const int Dispatch = 0;
    public const int Heartbeat = 1;
    public const int Identify = 2;
    public const int Resume = 3;
    public const int VoiceStateUpdate = 4;
    public const int VoiceServer = 5;
    public const int HeartbeatAck = 6;
    public const int Reconnect = 7;
    public const int Hello = 8;
    public const int PresenceUpdate = 9;
    public const int Subscribe = 10;
    public const int Unsubscribe = 11;
    public const int InvalidSession = 12;
    public const int VoiceSignal = 13;
}

/// <summary>Dispatch event names (the <c>t</c> of op 0).</summary>
public static class GatewayEvents
{
    public const string Ready = "READY";
    public const string Resumed = "RESUMED";
    public const string MessageCreate = "MESSAGE_CREATE";
    public const string MessageUpdate = "MESSAGE_UPDATE";
    public const string MessageDelete = "MESSAGE_DELETE";
    public const string MessageReactionAdd = "MESSAGE_REACTION_ADD";
    public const string MessageReactionRemove = "MESSAGE_REACTION_REMOVE";
    public const string ChannelCreate = "CHANNEL_CREATE";
    public const string ChannelUpdate = "CHANNEL_UPDATE";
    public const string ChannelDelete = "CHANNEL_DELETE";
    public const string CommunityCreate = "COMMUNITY_CREATE";
    public const string CommunityUpdate = "COMMUNITY_UPDATE";
    public const string CommunityDelete = "COMMUNITY_DELETE";
    public const string CommunityMemberAdd = "COMMUNITY_MEMBER_ADD";
    public const string CommunityMemberRemove = "COMMUNITY_MEMBER_REMOVE";
    public const string InviteCreate = "INVITE_CREATE";
    public const string InviteDelete = "INVITE_DELETE";
    public const string MessageDeleteBulk = "MESSAGE_DELETE_BULK";
    public const string CommunityMemberUpdate = "COMMUNITY_MEMBER_UPDATE";
    public const string CommunityRoleCreate = "COMMUNITY_ROLE_CREATE";
    public const string CommunityRoleUpdate = "COMMUNITY_ROLE_UPDATE";
    public const string CommunityRoleDelete = "COMMUNITY_ROLE_DELETE";
    public const string ReportCreate = "REPORT_CREATE";
    public const string ReportUpdate = "REPORT_UPDATE";
    public const string VoiceStateUpdate = "VOICE_STATE_UPDATE";
    public const string VoiceSignal = "VOICE_SIGNAL";
    public const string VoiceSpeaking = "VOICE_SPEAKING";
    public const string VoiceError = "VOICE_ERROR";
    public const string TypingStart = "TYPING_START";
    public const string PresenceUpdate = "PRESENCE_UPDATE";
    public const string ChannelRead = "CHANNEL_READ";
    public const string ChannelPinsUpdate = "CHANNEL_PINS_UPDATE";
    public const string ThreadCreate = "THREAD_CREATE";
    public const string ThreadUpdate = "THREAD_UPDATE";
    public const string ThreadMembersUpdate = "THREAD_MEMBERS_UPDATE";
    public const string ChannelRecipientAdd = "CHANNEL_RECIPIENT_ADD";
    public const string ChannelRecipientRemove = "CHANNEL_RECIPIENT_REMOVE";

    /// <summary>A user who shares a community or a direct channel with the receiver changed their name or avatar (a <c>UserSummary</c>).</summary>
    public const string UserUpdate = "USER_UPDATE";
}

/// <summary>WebSocket close codes the server uses (docs/protocol.md).</summary>
public static class GatewayCloseCodes
{
    public const int UnknownError = 4000;
    public const int UnknownOpcode = 4001;
    public const int DecodeError = 4002;
    public const int NotAuthenticated = 4003;
    public const int AuthenticationFailed = 4004;
    public const int AlreadyAuthenticated = 4005;
    public const int InvalidSeq = 4007;
    public const int RateLimited = 4008;
    public const int SessionTimedOut = 4009;
    public const int MessageTooLarge = 4010;
    public const int SlowConsumer = 4011;
    public const int SessionRevoked = 4012;

    /// <summary>The user already holds the maximum number of gateway connections; close one before opening another.</summary>
    public const int TooManyConnections = 4013;

    /// <summary>Too many IDENTIFY/RESUME attempts from this user or address; wait before reconnecting.</summary>
    public const int IdentifyRateLimited = 4014;

    /// <summary>The node is stopping (after op 7 RECONNECT <c>draining</c>): reconnect at once and RESUME; another node answers.</summary>
    public const int ServerDraining = 4015;
}

/// <summary>The <c>reason</c> of op 7 RECONNECT.</summary>
public static class ReconnectReasons
{
    /// <summary>The session is unknown, expired, someone else's or ended: IDENTIFY again.</summary>
    public const string SessionExpired = "session_expired";

    /// <summary>The events after the RESUME's seq are no longer buffered: IDENTIFY again.</summary>
    public const string SeqOutOfRange = "seq_out_of_range";

    /// <summary>The node is stopping; its close (4015) follows: reconnect and RESUME the same session.</summary>
    public const string Draining = "draining";
}

/// <summary>Every gateway frame: <c>{op, d, s, t}</c>; <c>s</c> and <c>t</c> only on dispatches.</summary>
public sealed record GatewayFrame(int Op, JsonElement? D = null, long? S = null, string? T = null);

public sealed record HelloPayload(int HeartbeatInterval);

public sealed record IdentifyPayload(string? Token, PresenceUpdateRequest? Presence = null);

public sealed record ResumePayload(string? SessionId, string? Token, long? Seq);

/// <summary>READY: the session, the user, their communities (visible channels only) and who is in which visible voice channel.</summary>
public sealed record ReadyPayload(string SessionId, User User, IReadOnlyList<Community> Communities, IReadOnlyList<VoiceState> VoiceStates, IReadOnlyList<Presence>? Presences = null,
    IReadOnlyList<DirectChannel>? PrivateChannels = null, IReadOnlyList<string>? LazyPresenceCommunityIds = null);

public sealed record ReconnectPayload(string Reason);

public sealed record InvalidSessionPayload(bool Resumable);
