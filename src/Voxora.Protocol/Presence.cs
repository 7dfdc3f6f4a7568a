using System.Text.Json;

namespace Voxora.Protocol;

/// <summary>Presence statuses (docs/protocol.md, "Presence").</summary>
public static class PresenceStatuses
{
    public const string Online = "online";
    public const string Idle = "idle";
    public const string Dnd = "dnd";
    public const string Invisible = "invisible";

    /// <summary>Never set by a client: no live connection, or invisible as others see it.</summary>
    public const string Offline = "offline";

    /// <summary>The statuses a client may choose (op 9, IDENTIFY's <c>presence</c>).</summary>
    public static bool IsSettable(string? status) => status is Online or Idle or Dnd or Invisible;
}

/// <summary>
/// Op 9 PRESENCE_UPDATE's payload, and IDENTIFY's optional <c>presence</c>. <c>activities</c> must be empty or
/// missing: rich presence is not served yet (seed 000 puts it in a later phase).
/// </summary>
public sealed record PresenceUpdateRequest(string? Status, IReadOnlyList<JsonElement>? Activities = null);

/// <summary>A user's presence as others see it (PRESENCE_UPDATE, READY's <c>presences</c>, the presences list).</summary>
public sealed record Presence(string UserId, string Status, IReadOnlyList<JsonElement> Activities);
