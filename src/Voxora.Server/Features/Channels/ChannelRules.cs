using System.Text;
using Voxora.Protocol;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Channels;

/// <summary>Channel names, topics and types. Pure rules, unit tested.</summary>
public static class ChannelRules
{
    public const int NameMax = 100;
    public const int TopicMax = 1024;
    public const int PositionMax = 100_000;
    public const int BitrateMin = 32_000;
    public const int BitrateMax = 128_000;
    public const int UserLimitMax = 99;

    /// <summary>Bitrate and user limit belong to voice channels: their ranges, and that other types refuse them.</summary>
    public static void VoiceSettingsErrors(int type, int? bitrate, int? userLimit, IDictionary<string, string[]> errors)
    {
        if (bitrate is not null && type != ChannelTypes.Voice) errors["bitrate"] = ["Only voice channels have a bitrate."];
        else if (bitrate is < BitrateMin or > BitrateMax) errors["bitrate"] = [$"Bitrate must be between {BitrateMin} and {BitrateMax} bits per second."];
        if (userLimit is not null && type != ChannelTypes.Voice) errors["user_limit"] = ["Only voice channels have a user limit."];
        else if (userLimit is < 0 or > UserLimitMax) errors["user_limit"] = [$"User limit must be between 0 (no limit) and {UserLimitMax}."];
    }

    public static bool IsKnownType(int type) => type is ChannelTypes.Text or ChannelTypes.Voice or ChannelTypes.Category;

    /// <summary>
    /// Text channels: trimmed, lower-case, each run of whitespace becomes one '-'. Voice channels and
    /// categories: trimmed. Always 1–100 characters without control, invisible or direction-changing
    /// characters (<see cref="TextSafety"/>).
    /// </summary>
    public static string? NameError(int type, string? name, out string normalized)
    {
        normalized = name?.Trim() ?? "";
        if (normalized.Length == 0)
        {
            return "Name is required.";
        }

        // In text channel names whitespace (tabs, line breaks) becomes '-' below, so only other controls are refused.
        if (normalized.Any(c => char.IsControl(c) && !(type == ChannelTypes.Text && char.IsWhiteSpace(c))))
        {
            return "Name must not contain control characters.";
        }

        if (type == ChannelTypes.Text)
        {
            var builder = new StringBuilder(normalized.Length);
            var inSpace = false;
            foreach (var c in normalized.ToLowerInvariant())
            {
                if (char.IsWhiteSpace(c))
                {
                    if (!inSpace) builder.Append('-');
                    inSpace = true;
                }
                else
                {
                    builder.Append(c);
                    inSpace = false;
                }
            }

            normalized = builder.ToString();
        }

        return normalized.Length > NameMax
            ? $"Name must be at most {NameMax} characters."
            : TextSafety.Error(normalized, TextKind.Name, "Name");
    }

    /// <summary>Trims; empty becomes null (no topic).</summary>
    public static string? TopicError(string? topic, out string? normalized)
    {
        normalized = string.IsNullOrWhiteSpace(topic) ? null : topic.Trim();
        if (normalized is null)
        {
            return null;
        }

        if (normalized.Length > TopicMax)
        {
            return $"Topic must be at most {TopicMax} characters.";
        }

        return TextSafety.Error(normalized, TextKind.Text, "Topic");
    }

    public static string? PositionError(int? position) =>
        position is < 0 or > PositionMax ? $"Position must be from 0 to {PositionMax}." : null;
}
