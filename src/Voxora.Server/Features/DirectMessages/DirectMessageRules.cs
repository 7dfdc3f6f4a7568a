using Voxora.Protocol;

namespace Voxora.Server.Features.DirectMessages;

/// <summary>The pure rules of direct messages: who may open one, what a participant may do, group sizes.</summary>
public static class DirectMessageRules
{
    /// <summary>A group DM holds at most this many people, its creator included.</summary>
    public const int MaxGroupSize = 10;

    public const int MaxNameLength = 100;

    /// <summary>
    /// What a participant may do in a direct channel: view, send, react, read history. Nobody moderates a DM, so
    /// nobody holds MANAGE_MESSAGES (each person deletes only their own messages); no roles, so no mentions of them.
    /// </summary>
    public const long ParticipantPermissions =
        Permission.ViewChannel | Permission.SendMessages | Permission.SendAttachments | Permission.ReadMessageHistory
        | Permission.AddReactions | Permission.EmbedLinks;

    /// <summary>In a one-to-one DM where one of the two blocked the other: still readable, but no new messages or reactions.</summary>
    public const long BlockedPairPermissions = Permission.ViewChannel | Permission.ReadMessageHistory;

    /// <summary>The unique key of the one-to-one DM between two people, whatever the order they are given in.</summary>
    public static string PairKey(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? string.Concat(a, ":", b) : string.Concat(b, ":", a);

    /// <summary>
    /// May <paramref name="senderId"/> open a DM with (or add to a group) the recipient? Only people who share a
    /// community, unless the recipient turned DMs from members off; never across a block, in either direction.
    /// Every "no" is the same answer, so the sender cannot tell a block from a setting.
    /// </summary>
    public static bool MayReach(bool shareCommunity, bool recipientAllowsMembers, bool blockedEitherWay) =>
        shareCommunity && recipientAllowsMembers && !blockedEitherWay;

    /// <summary>Null when the group name is acceptable (trimmed; "" clears it), else why not.</summary>
    public static string? NameError(string? name) => name is { Length: > MaxNameLength } ? $"Name must be at most {MaxNameLength} characters." : null;
}
