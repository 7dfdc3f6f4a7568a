using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Permissions;

namespace Voxora.Server.Features.Channels;

/// <summary>The allow and deny bits of one override.</summary>
public readonly record struct OverrideBits(long Allow, long Deny)
{
    /// <summary>Every bit the override says something about.</summary>
    public long Touched => Allow | Deny;
}

/// <summary>One override of a channel that changes in effect: added (no <see cref="Old"/>), altered, or removed (no <see cref="New"/>).</summary>
public sealed record OverrideChange(int TargetType, string TargetId, OverrideBits? Old, OverrideBits? New);

/// <summary>Why an override change is refused: the permission to manage that kind of override is missing, or it touches bits the caller lacks.</summary>
public enum OverrideRefusal
{
    None,
    MissingPermission,
    BitsNotHeld,
}

/// <summary>
/// The one rule for changing channel overrides, shared by the overrides endpoints and every path that changes
/// them as a side effect (sync with a category, moving a synced channel, creating a channel in a category,
/// deleting a category). Pure, unit tested.
/// </summary>
public static class OverrideRules
{
    /// <summary>Role overrides need MANAGE_ROLES in the channel, user overrides MANAGE_CHANNELS.</summary>
    public static long Needed(int targetType) => targetType == OverrideTargets.Role ? Permission.ManageRoles : Permission.ManageChannels;

    public static string NeededName(int targetType) => targetType == OverrideTargets.Role ? "MANAGE_ROLES" : "MANAGE_CHANNELS";

    /// <summary>
    /// May someone holding <paramref name="held"/> in the channel change this override from <paramref name="old"/> to
    /// <paramref name="new"/> (null: none)? They need the permission for the target's kind, and every bit the
    /// override says something about, before or after, must be one they hold: nobody grants, withholds, lifts or
    /// re-states a permission they do not have.
    /// </summary>
    public static OverrideRefusal Check(long held, int targetType, OverrideBits? old, OverrideBits? @new)
    {
        if (!PermissionResolver.Has(held, Needed(targetType)))
        {
            return OverrideRefusal.MissingPermission;
        }

        var touched = (old?.Touched ?? 0) | (@new?.Touched ?? 0);
        return (touched & ~held) != 0 ? OverrideRefusal.BitsNotHeld : OverrideRefusal.None;
    }

    /// <summary>The first change in <paramref name="changes"/> the caller may not make, with why; null when all are allowed.</summary>
    public static (OverrideChange Change, OverrideRefusal Refusal)? FirstRefused(long held, IEnumerable<OverrideChange> changes)
    {
        foreach (var change in changes)
        {
            var refusal = Check(held, change.TargetType, change.Old, change.New);
            if (refusal != OverrideRefusal.None)
            {
                return (change, refusal);
            }
        }

        return null;
    }

    /// <summary>
    /// The overrides that differ between two sets of one channel's overrides (before and after), ordered by target
    /// type then id. Overrides equal on both sides are not changes.
    /// </summary>
    public static List<OverrideChange> Diff(IEnumerable<ChannelOverrideEntity> before, IEnumerable<ChannelOverrideEntity> after)
    {
        var old = before.ToDictionary(o => (o.TargetType, o.TargetId), o => new OverrideBits(o.Allow, o.Deny));
        var @new = after.ToDictionary(o => (o.TargetType, o.TargetId), o => new OverrideBits(o.Allow, o.Deny));
        return old.Keys.Union(@new.Keys)
            .Select(key => new OverrideChange(key.TargetType, key.TargetId,
                old.TryGetValue(key, out var o) ? o : null, @new.TryGetValue(key, out var n) ? n : null))
            .Where(c => c.Old != c.New)
            .OrderBy(c => c.TargetType).ThenBy(c => c.TargetId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The audit log's record of override changes: one object per override, in the shape of the
    /// <c>channel_override.*</c> entries (<c>target_type</c>, <c>target_id</c>, <c>allow</c> and <c>deny</c> as
    /// old/new decimal strings, null for none).
    /// </summary>
    public static JsonArray ToAudit(IEnumerable<OverrideChange> changes) => new(changes.Select(c => (JsonNode)ToAudit(c)).ToArray());

    /// <summary>One override change as the audit log records it (also the whole <c>changes</c> of a <c>channel_override.*</c> entry).</summary>
    public static JsonObject ToAudit(OverrideChange change) => new()
    {
        ["target_type"] = OverrideTargets.Name(change.TargetType),
        ["target_id"] = change.TargetId,
        ["allow"] = new JsonObject { ["old"] = Bits(change.Old?.Allow), ["new"] = Bits(change.New?.Allow) },
        ["deny"] = new JsonObject { ["old"] = Bits(change.Old?.Deny), ["new"] = Bits(change.New?.Deny) },
    };

    private static JsonNode? Bits(long? bits) =>
        bits is { } value ? JsonValue.Create(value.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
}
