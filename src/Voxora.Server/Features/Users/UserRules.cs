using System.Text.RegularExpressions;

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

        return normalized.Any(char.IsControl) ? "Display name must not contain control characters." : null;
    }
}
