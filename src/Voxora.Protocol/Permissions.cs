using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Voxora.Protocol;

/// <summary>
/// Community permission bits (docs/permissions.md). A permission set is a <c>long</c> bitfield; on the
/// wire it travels as a decimal string (requests also accept a JSON number). Bits not listed are reserved.
/// </summary>
public static class Permission
{
    private static readonly PermissionDefinition[] Table =
    [
        new("VIEW_CHANNEL", 0, "See the channel, its events and its messages as they arrive.", true, true),
        new("SEND_MESSAGES", 1, "Send messages in text channels (edit your own).", true, true),
        new("SEND_ATTACHMENTS", 2, "Attach files to messages.", true, true),
        new("READ_MESSAGE_HISTORY", 3, "Read messages sent before you opened the channel (history pages).", true, true),
        new("ADD_REACTIONS", 4, "Add reactions to messages.", true, true),
        new("MENTION_EVERYONE", 5, "Use @everyone and @here mentions.", false, true),
        new("MANAGE_MESSAGES", 6, "Delete others' messages, bulk-delete, handle message reports.", false, true),
        new("MANAGE_CHANNELS", 7, "Create, edit and delete channels; set user overrides.", false, true),
        new("MANAGE_ROLES", 8, "Create, edit, delete and assign roles below your highest role; set role overrides.", false, true),
        new("MANAGE_COMMUNITY", 9, "Edit the community's name and description; list and revoke any invite.", false, false),
        new("CREATE_INVITES", 10, "Create invites.", true, true),
        new("KICK_MEMBERS", 11, "Remove members below your highest role.", false, false),
        new("BAN_MEMBERS", 12, "Ban and unban users; list bans.", false, false),
        new("MODERATE_MEMBERS", 13, "Time out members below your highest role.", false, false),
        new("EMBED_LINKS", 14, "Links in your messages get previews.", true, true),
        new("SEND_MESSAGES_IN_THREADS", 16, "Send messages in threads.", true, true),
        new("CREATE_THREADS", 17, "Start threads.", true, true),
        new("MANAGE_THREADS", 18, "Rename, archive and delete threads.", false, true),
        new("VIEW_AUDIT_LOG", 20, "Read and verify the community's audit log.", false, false),
        new("VOICE_CONNECT", 21, "Join voice channels.", true, true),
        new("VOICE_SPEAK", 22, "Speak in voice channels.", true, true),
        new("VOICE_MUTE_OTHERS", 23, "Server-mute others in voice.", false, true),
        new("VOICE_DEAFEN_OTHERS", 24, "Server-deafen others in voice.", false, true),
        new("VOICE_MOVE_OTHERS", 25, "Move others between voice channels.", false, true),
        new("VOICE_VIDEO", 26, "Share camera or screen in voice channels.", true, true),
        new("ADMINISTRATOR", 31, "Every permission in every channel; overrides do not apply.", false, false),
    ];

    public const long ViewChannel = 1L << 0;
    public const long SendMessages = 1L << 1;
    public const long SendAttachments = 1L << 2;
    public const long ReadMessageHistory = 1L << 3;
    public const long AddReactions = 1L << 4;
    public const long MentionEveryone = 1L << 5;
    public const long ManageMessages = 1L << 6;
    public const long ManageChannels = 1L << 7;
    public const long ManageRoles = 1L << 8;
    public const long ManageCommunity = 1L << 9;
    public const long CreateInvites = 1L << 10;
    public const long KickMembers = 1L << 11;
    public const long BanMembers = 1L << 12;
    public const long ModerateMembers = 1L << 13;
    public const long EmbedLinks = 1L << 14;
    public const long SendMessagesInThreads = 1L << 16;
    public const long CreateThreads = 1L << 17;
    public const long ManageThreads = 1L << 18;
    public const long ViewAuditLog = 1L << 20;
    public const long VoiceConnect = 1L << 21;
    public const long VoiceSpeak = 1L << 22;
    public const long VoiceMuteOthers = 1L << 23;
    public const long VoiceDeafenOthers = 1L << 24;
    public const long VoiceMoveOthers = 1L << 25;
    public const long VoiceVideo = 1L << 26;
    public const long Administrator = 1L << 31;

    /// <summary>Every defined bit.</summary>
    public static readonly long All = Definitions().Aggregate(0L, (all, d) => all | (1L << d.Bit));

    /// <summary>What <c>@everyone</c> gets in a new community (and what existing communities got when roles arrived).</summary>
    public static readonly long EveryoneDefault = Definitions().Where(d => d.EveryoneDefault).Aggregate(0L, (all, d) => all | (1L << d.Bit));

    /// <summary>Bits a channel override may allow or deny; the rest only make sense community-wide.</summary>
    public static readonly long ChannelScoped = Definitions().Where(d => d.ChannelScoped).Aggregate(0L, (all, d) => all | (1L << d.Bit));

    /// <summary>What a timed-out member keeps: they can still read, but not write, react or speak.</summary>
    public const long KeptWhileTimedOut = ViewChannel | ReadMessageHistory;

    public static IReadOnlyList<PermissionDefinition> Definitions() => Table;
}

/// <summary>Pod (whole server) permission bits, seed 000 §P2-9.</summary>
public static class PodPermission
{
    private static readonly PermissionDefinition[] Table =
    [
        new("POD_CREATE_COMMUNITY", 0, "Create communities on this pod.", true, false),
        new("POD_MANAGE_COMMUNITIES", 1, "Delete any community (from /admin, or one you are a member of).", false, false),
        new("POD_BAN_MEMBERS", 2, "Ban users from the whole pod.", false, false),
        new("POD_MANAGE_INVITES", 3, "Create pod-level invites.", true, false),
        new("POD_VIEW_AUDIT_LOG", 4, "Read and verify the pod audit log.", false, false),
        new("POD_MANAGE_SETTINGS", 5, "Change pod settings; manage pod roles below your highest.", false, false),
        new("POD_ADMINISTRATOR", 15, "Every pod permission.", false, false),
    ];

    public const long CreateCommunity = 1L << 0;
    public const long ManageCommunities = 1L << 1;
    public const long BanMembers = 1L << 2;
    public const long ManageInvites = 1L << 3;
    public const long ViewAuditLog = 1L << 4;
    public const long ManageSettings = 1L << 5;
    public const long Administrator = 1L << 15;

    public static readonly long All = Definitions().Aggregate(0L, (all, d) => all | (1L << d.Bit));

    public static readonly long EveryoneDefault = CreateCommunity | ManageInvites;

    public static IReadOnlyList<PermissionDefinition> Definitions() => Table;
}

/// <summary>One permission bit as <c>GET /api/v1/permissions</c> lists it.</summary>
public sealed record PermissionDefinition(string Name, int Bit, string Description, bool EveryoneDefault, bool ChannelScoped);

/// <summary>The permission table: community bits (with what @everyone gets by default) and pod bits.</summary>
public sealed record PermissionTable(
    IReadOnlyList<PermissionDefinition> Community,
    [property: JsonConverter(typeof(PermissionBitsConverter))] long EveryoneDefault,
    IReadOnlyList<PermissionDefinition> Pod,
    [property: JsonConverter(typeof(PermissionBitsConverter))] long PodEveryoneDefault);

/// <summary>
/// A permission bitfield on the wire: written as a decimal string (JavaScript numbers lose bits above 2^53),
/// read from either a decimal string or a JSON integer. Negative values and anything else are refused.
/// </summary>
public sealed class PermissionBitsConverter : JsonConverter<long>
{
    public override long Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadBits(ref reader);

    public override void Write(Utf8JsonWriter writer, long value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));

    internal static long ReadBits(ref Utf8JsonReader reader)
    {
        long value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out value):
                break;
            case JsonTokenType.String when reader.GetString() is { Length: > 0 and <= 20 } text
                && text.All(char.IsAsciiDigit)
                && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value):
                break;
            default:
                throw new JsonException("A permission bitfield must be a non-negative integer or a decimal string.");
        }

        return value >= 0 ? value : throw new JsonException("A permission bitfield cannot be negative.");
    }
}

/// <summary><see cref="PermissionBitsConverter"/> for optional fields: null stays null.</summary>
public sealed class NullablePermissionBitsConverter : JsonConverter<long?>
{
    public override bool HandleNull => true;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : PermissionBitsConverter.ReadBits(ref reader);

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        if (value is { } bits)
        {
            writer.WriteStringValue(bits.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
