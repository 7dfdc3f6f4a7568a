using System.Buffers;
using System.Text;

namespace Voxora.Server.Features.Users;

/// <summary>
/// The one definition of a password, used by register, login and password change: the exact sequence
/// of Unicode scalar values (code points) sent, 8–128 of them. An emoji is one code point (two UTF-16
/// units); a skin-tone emoji is two. Passwords are not normalised (NFC): the server runs with invariant
/// globalization, where .NET cannot normalise, so the text is compared exactly as sent everywhere.
/// Pure, unit tested.
/// </summary>
public static class PasswordRules
{
    public const int Min = 8;
    public const int Max = 128;

    /// <summary>A code point is at most two UTF-16 units, so anything longer than this is over the limit unread.</summary>
    public const int MaxUtf16 = Max * 2;

    /// <summary>The problem with a new password (register, change), or null when it is acceptable.</summary>
    public static string? Error(string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "Password is required.";
        }

        if (password.Length <= MaxUtf16 && !IsWellFormed(password))
        {
            return "Password must be valid Unicode text.";
        }

        return password.Length > MaxUtf16 || CodePoints(password) is < Min or > Max
            ? $"Password must be {Min}–{Max} characters."
            : null;
    }

    /// <summary>
    /// Whether a presented password (login, current password at change) could be any account's password.
    /// When not, the caller treats it exactly like a wrong password; it is never cut down to something
    /// that might match.
    /// </summary>
    public static bool MayMatch(string? password) =>
        !string.IsNullOrEmpty(password) && password.Length <= MaxUtf16 && CodePoints(password) <= Max;

    /// <summary>Unicode scalar values; an unpaired surrogate counts as one.</summary>
    public static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static bool IsWellFormed(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var consumed) != OperationStatus.Done)
            {
                return false;
            }

            rest = rest[consumed..];
        }

        return true;
    }
}
