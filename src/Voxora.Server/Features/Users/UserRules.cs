using System.Text.RegularExpressions;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Users;

/// <summary>What a username, password, display name and e-mail may look like. Pure rules, unit tested.</summary>
public static partial class UserRules
{
    public const int UsernameMin = 2;
    public const int UsernameMax = 32;
    public const int PasswordMin = PasswordRules.Min;
    public const int PasswordMax = PasswordRules.Max;
    public const int DisplayNameMax = 32;
    public const int EmailMax = 254;

    [GeneratedRegex("^[A-Za-z0-9_.]{2,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();

    // Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    public static string Normalize(string username) => username.ToLowerInvariant();

    public static string? UsernameError(string? username) => username switch
    {
        null or "" => "Username is required.",
        { Length: < UsernameMin or > UsernameMax } => $"Username must be {UsernameMin}–{UsernameMax} characters.",
        _ when !UsernamePattern().IsMatch(username) => "Username may only contain ASCII letters, digits, '_' and '.'.",
        _ => null,
    };

    /// <summary>See <see cref="PasswordRules"/>: 8–128 code points, the same for register, login and change.</summary>
    public static string? PasswordError(string? password) => PasswordRules.Error(password);

    public static string? EmailError(string? email) => email switch
    {
        null => null,
        { Length: > EmailMax } => $"E-mail must be at most {EmailMax} characters.",
        _ when !EmailPattern().IsMatch(email) => "E-mail address is not valid.",
        _ => null,
    };

    /// <summary>Returns an error or null; <paramref name="normalized"/> is the trimmed name, or null to clear it.</summary>
    public static string? DisplayNameError(string? displayName, out string? normalized)
    {
        normalized = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
        if (normalized is null)
        {
            return null;
        }

        // The second bound keeps pathological combining sequences inside the column.
        if (new System.Globalization.StringInfo(normalized).LengthInTextElements > DisplayNameMax || normalized.Length > DisplayNameMax * 2)
        {
            return $"Display name must be at most {DisplayNameMax} characters.";
        }

        return TextSafety.Error(normalized, TextKind.Name, "Display name");
    }

    /// <summary>
    /// The username a display name would pass for, or null when it cannot look like one: a leading '@'
    /// dropped, full-width and mathematical letters and digits and the Cyrillic and Greek letters that
    /// look like Latin ones folded to ASCII, then lower-cased. The caller refuses the display name when
    /// that is someone else's username (compared with <see cref="Normalize"/>d usernames).
    /// </summary>
    public static string? UsernameLookalike(string displayName)
    {
        var builder = new System.Text.StringBuilder(displayName.Length);
        foreach (var rune in displayName.TrimStart('@').EnumerateRunes())
        {
            if (FoldToAscii(rune.Value) is not { } ascii)
            {
                return null; // Anything else is not in a username, so the name cannot pass for one.
            }

            builder.Append(ascii);
        }

        var folded = builder.ToString();
        return UsernamePattern().IsMatch(folded) ? Normalize(folded) : null;
    }

    private static char? FoldToAscii(int value) => value switch
    {
        < 0x80 => (char)value,
        >= 0xFF01 and <= 0xFF5E => (char)(value - 0xFF01 + '!'), // full-width ASCII
        >= 0x1D400 and <= 0x1D6A3 => MathematicalLetter((value - 0x1D400) % 52),
        >= 0x1D7CE and <= 0x1D7FF => (char)('0' + (value - 0x1D7CE) % 10), // mathematical digits
        _ => LatinLookalikes.TryGetValue(value, out var latin) ? latin : null,
    };

    // The mathematical alphabets (bold, italic, script, …) are runs of A–Z then a–z.
    private static char MathematicalLetter(int indexInAlphabet) =>
        (char)(indexInAlphabet < 26 ? 'A' + indexInAlphabet : 'a' + indexInAlphabet - 26);

    // Cyrillic and Greek letters drawn like a Latin letter in common fonts, and the Latin letter they pass for.
    private static readonly Dictionary<int, char> LatinLookalikes = new()
    {
        ['а'] = 'a', ['А'] = 'a', ['В'] = 'b', ['е'] = 'e', ['Е'] = 'e', ['ѕ'] = 's', ['Ѕ'] = 's',
        ['і'] = 'i', ['І'] = 'i', ['ј'] = 'j', ['Ј'] = 'j', ['К'] = 'k', ['М'] = 'm', ['Н'] = 'h', ['һ'] = 'h',
        ['о'] = 'o', ['О'] = 'o', ['р'] = 'p', ['Р'] = 'p', ['с'] = 'c', ['С'] = 'c', ['Т'] = 't', ['у'] = 'y', ['У'] = 'y',
        ['х'] = 'x', ['Х'] = 'x', ['ԁ'] = 'd', ['ԛ'] = 'q', ['ԝ'] = 'w', ['ӏ'] = 'l', ['Ӏ'] = 'l',
        ['α'] = 'a', ['Α'] = 'a', ['Β'] = 'b', ['ε'] = 'e', ['Ε'] = 'e', ['Ζ'] = 'z', ['Η'] = 'h', ['ι'] = 'i', ['Ι'] = 'i',
        ['κ'] = 'k', ['Κ'] = 'k', ['Μ'] = 'm', ['ν'] = 'v', ['Ν'] = 'n', ['ο'] = 'o', ['Ο'] = 'o', ['ρ'] = 'p', ['Ρ'] = 'p',
        ['Τ'] = 't', ['υ'] = 'u', ['Υ'] = 'y', ['χ'] = 'x', ['Χ'] = 'x', ['ı'] = 'i',
    };
}
