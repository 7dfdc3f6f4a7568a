using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Communities;

/// <summary>What a community name and description may look like. Pure rules, unit tested.</summary>
public static class CommunityRules
{
    public const int NameMax = 100;
    public const int DescriptionMax = 1000;

    /// <summary>Message retention: 1 day to 10 years; 0 in a request turns it off.</summary>
    public const int RetentionDaysMin = 1;
    public const int RetentionDaysMax = 3650;

    /// <summary>0 means off (null); otherwise <see cref="RetentionDaysMin"/>–<see cref="RetentionDaysMax"/>.</summary>
    public static string? RetentionError(int days, out int? normalized)
    {
        normalized = days == 0 ? null : days;
        return days is 0 or (>= RetentionDaysMin and <= RetentionDaysMax)
            ? null
            : $"Message retention must be from {RetentionDaysMin} to {RetentionDaysMax} days, or 0 to keep messages forever.";
    }

    /// <summary>Trims; 1–100 characters, no control, invisible or direction-changing characters (<see cref="TextSafety"/>).</summary>
    public static string? NameError(string? name, out string normalized)
    {
        normalized = name?.Trim() ?? "";
        if (normalized.Length == 0)
        {
            return "Name is required.";
        }

        if (normalized.Length > NameMax)
        {
            return $"Name must be at most {NameMax} characters.";
        }

        return TextSafety.Error(normalized, TextKind.Name, "Name");
    }

    /// <summary>Trims; empty or whitespace becomes null (no description). Line breaks are allowed.</summary>
    public static string? DescriptionError(string? description, out string? normalized)
    {
        normalized = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        if (normalized is null)
        {
            return null;
        }

        if (normalized.Length > DescriptionMax)
        {
            return $"Description must be at most {DescriptionMax} characters.";
        }

        return TextSafety.Error(normalized, TextKind.Text, "Description");
    }
}
