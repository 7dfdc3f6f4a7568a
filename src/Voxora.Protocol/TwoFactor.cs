namespace Voxora.Protocol;

// Two-factor sign-in with TOTP (seed 000 §H2-1). Request properties stay nullable like every other request body:
// a missing field is a clear 400 from the endpoint, never a deserializer exception.

/// <summary>The answer to a correct password when the account has two-factor sign-in on: no tokens yet, finish with <see cref="VerifyMfaRequest"/>.</summary>
public sealed record MfaRequiredResponse(bool MfaRequired, string MfaToken, IReadOnlyList<string> MfaMethods);

/// <summary>
/// <c>POST /users/@me/mfa/verify</c>: the <c>mfa_token</c> from login and exactly one of a 6-digit <c>code</c>, a
/// <c>backup_code</c>, or a passkey assertion <c>credential</c> (for the challenge from <c>/users/@me/mfa/webauthn/begin</c>).
/// </summary>
public sealed record VerifyMfaRequest(string? MfaToken, string? Code = null, string? BackupCode = null, System.Text.Json.JsonElement? Credential = null);

public sealed record EnableTotpRequest(string? Password);

/// <summary>A pending enrolment: the secret (Base32), its <c>otpauth://</c> URI, that URI as a QR PNG data URI, and the 8 backup codes.</summary>
public sealed record TotpEnrollment(string Secret, string OtpauthUri, string QrCodeDataUri, IReadOnlyList<string> BackupCodes);

public sealed record ConfirmTotpRequest(string? Code);

public sealed record BackupCodesResponse(IReadOnlyList<string> BackupCodes);

/// <summary><c>POST /users/@me/mfa/totp/disable</c>: the password and either a current <c>code</c> or a <c>backup_code</c>.</summary>
public sealed record DisableTotpRequest(string? Password, string? Code = null, string? BackupCode = null);

/// <summary>
/// <c>POST /users/@me/mfa/backup-codes</c>: the password and either a current <c>code</c> or a <c>backup_code</c>; the
/// answer is 8 new backup codes and the old ones stop working.
/// </summary>
public sealed record RegenerateBackupCodesRequest(string? Password, string? Code = null, string? BackupCode = null);

public static class MfaMethods
{
    public const string Totp = "totp";

    /// <summary>A passkey (WebAuthn assertion); offered when the account has two-factor on and at least one passkey.</summary>
    public const string WebAuthn = "webauthn";
}
