using System.Globalization;
using System.Security.Cryptography;
using OtpNet;

namespace Voxora.Server.Features.TwoFactor;

/// <summary>
/// RFC 6238 time-based codes as authenticator apps make them: HMAC-SHA1, 6 digits, 30-second steps. A code is
/// accepted for the step before and after the current one (clock drift); which step matched is returned so the
/// caller can refuse a code whose step was already used (<see cref="SecondFactor"/>). Otp.NET does the arithmetic.
/// </summary>
public static class TotpCodes
{
    public const int Digits = 6;
    public const int StepSeconds = 30;

    /// <summary>160 bits, the HMAC-SHA1 block-friendly length RFC 4226 recommends.</summary>
    public const int SecretBytes = 20;

    private static readonly VerificationWindow OneStepEachWay = new(previous: 1, future: 1);

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    /// <summary>The secret as authenticator apps take it by hand: RFC 4648 Base32 without padding.</summary>
    public static string ToBase32(byte[] secret) => Base32Encoding.ToString(secret).TrimEnd('=');

    public static string Compute(byte[] secret, DateTimeOffset at) => Generator(secret).ComputeTotp(at.UtcDateTime);

    /// <summary>True for exactly <see cref="Digits"/> ASCII digits; anything else cannot be a code.</summary>
    public static bool IsWellFormed(string? code) => code is { Length: Digits } && code.All(char.IsAsciiDigit);

    /// <summary>The time step the code belongs to (current, previous or next), or null when it matches none of them.</summary>
    public static long? MatchStep(byte[] secret, string code, DateTimeOffset now) =>
        IsWellFormed(code) && Generator(secret).VerifyTotp(now.UtcDateTime, code, out var step, OneStepEachWay) ? step : null;

    /// <summary>
    /// The <c>otpauth://totp/…</c> URI authenticator apps read from the QR code (Google Authenticator "Key Uri Format"),
    /// labelled "issuer:username" so the app shows which pod and account the code is for.
    /// </summary>
    public static string OtpauthUri(byte[] secret, string issuer, string accountName)
    {
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(accountName);
        return string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{label}?secret={ToBase32(secret)}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}");
    }

    private static Totp Generator(byte[] secret) => new(secret, StepSeconds, OtpHashMode.Sha1, Digits);
}
