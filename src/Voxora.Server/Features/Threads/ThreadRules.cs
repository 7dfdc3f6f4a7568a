using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Threads;

/// <summary>Thread names and auto-archive durations (seed 000 §P2-7). Pure rules, unit tested.</summary>
public static class ThreadRules
{
    public const int NameMax = 100;
    public const int DefaultAutoArchiveSeconds = 86_400;

    /// <summary>1 hour, 24 hours, 3 days, 7 days.</summary>
    public static readonly IReadOnlyList<int> AutoArchiveChoices = [3_600, 86_400, 259_200, 604_800];

    /// <summary>Trimmed, 1–100 characters, no control, invisible or direction-changing characters.</summary>
    public static string? NameError(string? name, out string normalized)
    {
        normalized = name?.Trim() ?? "";
        if (normalized.Length == 0)
        {
            return "Name is required.";
        }

        return normalized.Length > NameMax
            ? $"Name must be at most {NameMax} characters."
            : TextSafety.Error(normalized, TextKind.Name, "Name");
    }

    public static string? AutoArchiveError(int? seconds) =>
        seconds is { } s && !AutoArchiveChoices.Contains(s)
            ? "Auto_archive_seconds must be 3600 (1 hour), 86400 (24 hours), 259200 (3 days) or 604800 (7 days)."
            : null;

    /// <summary>An active thread is archived by the sweeper once it has been inactive this long.</summary>
    public static bool IsDue(DateTimeOffset lastActivityAt, int autoArchiveSeconds, DateTimeOffset now) =>
        now >= lastActivityAt.AddSeconds(autoArchiveSeconds);
}
