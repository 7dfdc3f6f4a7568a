using System.Globalization;

namespace Voxora.Server.Infrastructure;

/// <summary>Query-string page sizes: 1–100, a default when absent. Pure, unit tested.</summary>
public static class Paging
{
    public const int MaxLimit = 100;
    public const int DefaultLimit = 50;

    /// <summary>Returns an error message or null; <paramref name="limit"/> is the parsed value or the default.</summary>
    public static string? LimitError(string? text, out int limit, int defaultLimit = DefaultLimit)
    {
        limit = defaultLimit;
        if (text is null)
        {
            return null;
        }

        if (text.Length > 3 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit)
        {
            limit = defaultLimit;
            return $"Limit must be a whole number from 1 to {MaxLimit}.";
        }

        return null;
    }
}
