namespace Voxora.Protocol;

/// <summary>Gateway commands a client sends as op 0 with this <c>t</c> (docs/protocol.md "Commands").</summary>
public static class GatewayCommands
{
    /// <summary><c>{op: 0, t: "TYPING", d: {channel_id}}</c>: the user is typing in a text channel.</summary>
    public const string Typing = "TYPING";
}

/// <summary>The <c>d</c> of the TYPING command.</summary>
public sealed record TypingCommand(string? ChannelId);

/// <summary>
/// TYPING_START: <paramref name="UserId"/> started typing in the channel at <paramref name="Timestamp"/>. There is no
/// stop event: a client shows the typist for 8 s after the last one, or until a MESSAGE_CREATE from them arrives.
/// <paramref name="DisplayName"/> (omitted when the typist has none) lets a client name them as their messages do.
/// </summary>
public sealed record TypingStart(string ChannelId, string? CommunityId, string UserId, string Username, DateTimeOffset Timestamp, string? DisplayName = null);
