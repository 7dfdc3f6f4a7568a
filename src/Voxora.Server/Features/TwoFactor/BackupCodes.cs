using System.Security.Cryptography;

namespace Voxora.Server.Features.TwoFactor;

/// <summary>
/// One-time backup codes: 8 codes of 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 40 bits
/// each. Shown as <c>ABCD-EFGH</c>; typed back in any case, with or without the dash or spaces.
/// </summary>
public static class BackupCodes
{
    public const int Count = 8;
    public const int Length = 8;
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    /// <summary>New codes in their canonical form (8 upper-case characters, no dash).</summary>
    public static IReadOnlyList<string> Generate() =>
        Enumerable.Range(0, Count).Select(_ => RandomNumberGenerator.GetString(Alphabet, Length)).ToList();

    /// <summary>How a code is shown: the two halves joined by a dash.</summary>
    public static string Display(string canonical) => canonical[..(Length / 2)] + "-" + canonical[(Length / 2)..];

    /// <summary>The canonical form of a code as a person typed it, or null when it cannot be a backup code at all.</summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null || typed.Length > 32)
        {
            return null;
        }

        var compact = string.Concat(typed.Where(c => c is not ('-' or ' '))).ToUpperInvariant();
        return compact.Length == Length && compact.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? compact : null;
    }
}
