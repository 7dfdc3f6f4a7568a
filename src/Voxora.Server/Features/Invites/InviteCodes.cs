using System.Security.Cryptography;

namespace Voxora.Server.Features.Invites;

/// <summary>Invite codes and limits. Pure rules, unit tested.</summary>
public static class InviteCodes
{
    /// <summary>Base 58: no 0/O, no I/l, so a code read aloud or from a screen is not ambiguous.</summary>
    public const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    public const int Length = 8;
    public const int MaxUsesLimit = 1000;
    public const int MaxAgeLimitSeconds = 604_800;
    public const int DefaultMaxAgeSeconds = 86_400;

    /// <summary>8 characters of base 58 from the OS CSPRNG: about 47 bits.</summary>
    public static string New() => RandomNumberGenerator.GetString(Alphabet, Length);

    public static bool IsWellFormed(string? code) =>
        code is { Length: Length } && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal));

    public static string? MaxUsesError(int? maxUses) =>
        maxUses is < 0 or > MaxUsesLimit ? $"Max uses must be from 0 (unlimited) to {MaxUsesLimit}." : null;

    public static string? MaxAgeError(int? maxAgeSeconds) =>
        maxAgeSeconds is < 0 or > MaxAgeLimitSeconds ? $"Max age must be from 0 (never expires) to {MaxAgeLimitSeconds} seconds." : null;
}
