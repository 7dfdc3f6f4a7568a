using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QRCoder;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.TwoFactor;

/// <summary>
/// Two-factor sign-in with an authenticator app (TOTP, seed 000 §H2-1): enable → confirm → (disable), and the
/// second step of login (<c>/users/@me/mfa/verify</c>, which needs no bearer token: it is how one is obtained).
/// </summary>
public static class TwoFactorEndpoints
{
    /// <summary>The keyed clock of codes and mfa_tokens: the server's clock unless a test moves it.</summary>
    public const string ClockKey = "mfa";

    public static void AddTwoFactor(IServiceCollection services)
    {
        services.TryAddKeyedSingleton(ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<MfaSecretProtector>();
        services.AddScoped<MfaChallenges>();
        services.AddScoped<SecondFactor>();
    }

    public static RouteGroupBuilder MapTwoFactorEndpoints(this RouteGroupBuilder api)
    {
        var mfa = api.MapGroup("/users/@me/mfa").WithTags("Two-factor");
        mfa.MapPost("/verify", Verify).WithSummary("Second step of a sign in with two-factor: the MFA token and a TOTP or backup code").RequireRateLimiting(RateLimits.Auth);

        var totp = mfa.MapGroup("/totp").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        totp.MapPost("/enable", Enable).WithSummary("Start enabling TOTP: a new secret and its otpauth URI");
        totp.MapPost("/confirm", Confirm).WithSummary("Confirm TOTP with a code; returns the backup codes");
        totp.MapPost("/disable", Disable).WithSummary("Disable two-factor (password and a code)");
        mfa.MapPost("/backup-codes", RegenerateBackupCodes).RequireAuthorization().RequireRateLimiting(RateLimits.User)
            .WithSummary("New backup codes (password and a code); the old ones stop working");
        return api;
    }

    /// <summary>The second step of login: a code or backup code for the login's <c>mfa_token</c> gives the tokens login would have given.</summary>
    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Verify(
        VerifyMfaRequest request, HttpContext http, VoxoraDbContext db, MfaChallenges challenges, SecondFactor secondFactor,
        Passkeys.PasskeyCeremonies ceremonies, LoginBackoff backoff, SessionStore sessions, AccessTokens tokens, ILogger<SecondFactor> logger, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.MfaToken)) errors["mfa_token"] = ["The mfa_token from login is required."];
        var passkey = request.Credential is { ValueKind: not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined) } credential ? credential : (System.Text.Json.JsonElement?)null;
        string? backupCode = null;
        if (passkey is not null)
        {
            if (request.Code is not null || request.BackupCode is not null)
            {
                errors["code"] = ["Give either a code, a backup_code or a credential."];
            }
            else if (passkey.Value.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                errors["credential"] = ["The credential from navigator.credentials.get is required."];
            }
        }
        else
        {
            backupCode = FactorErrors(request.Code, request.BackupCode, errors);
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var userId = await challenges.TakeAttemptAsync(request.MfaToken!, ct);
        var user = userId is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || !user.MfaEnabled)
        {
            return Problems.Unauthorized(ProblemCodes.InvalidMfaToken, "This sign-in expired or was used up. Sign in again with your password.");
        }

        var ip = http.Ip();
        var accepted = passkey is not null
            ? (await ceremonies.CompleteAssertionAsync(Passkeys.PasskeyCeremonies.SecondFactorPurpose, user.Id, passkey.Value, ct)).UserId == user.Id
            : await secondFactor.CheckAsync(user.Id, request.Code, backupCode, ct);
        if (!accepted)
        {
            // A wrong second factor is a failed login: it counts toward the same back-off as a wrong password.
            await backoff.RecordLoginFailureAsync(user.Username, ip);
            logger.LogInformation("Wrong second factor for user {UserId} from {Ip}", user.Id, ip);
            return Problems.Unauthorized(ProblemCodes.InvalidMfaCode, passkey is not null
                ? "The passkey was not accepted, or its challenge expired or was already used."
                : request.Code is not null
                ? "The code is wrong, expired or was already used."
                : "The backup code is wrong or was already used.");
        }

        if (!await challenges.SpendAsync(request.MfaToken!, ct))
        {
            return Problems.Unauthorized(ProblemCodes.InvalidMfaToken, "This sign-in expired or was used up. Sign in again with your password.");
        }

        await backoff.RecordLoginSuccessAsync(user.Username, ip);
        if (await PodPermissions.IsBannedAsync(db, user.Id, ct))
        {
            // Banned between the password and the code.
            return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.PodBanned, "Banned", "This account is banned from this server.");
        }

        var (session, refresh) = await sessions.CreateAsync(user.Id, http.UserAgent(), ip, ct);
        return TypedResults.Ok(new TokenResponse(tokens.Issue(user.Id, session.Id), "Bearer", tokens.LifetimeSeconds, refresh));
    }

    /// <summary>Starts (or restarts) enrolment: a new secret and backup codes, pending until confirmed with a code.</summary>
    private static async Task<Results<Ok<TotpEnrollment>, ValidationProblem, ProblemHttpResult>> Enable(
        EnableTotpRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher, LoginBackoff backoff,
        MfaSecretProtector protector, PublicOrigin origin, [FromKeyedServices(ClockKey)] TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Password))
        {
            return Problems.Validation("password", "Password is required.");
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (await CurrentPassword.CheckAsync(http, user, request.Password, hasher, backoff) is { } refused)
        {
            return refused;
        }

        if (user.MfaEnabled)
        {
            return AlreadyEnabled();
        }

        var secret = TotpCodes.NewSecret();
        var codes = BackupCodes.Generate();
        var sealedSecret = protector.Protect(user.Id, SecondFactor.SecretPurpose, secret);
        var sealedCodes = protector.Protect(user.Id, SecondFactor.BackupCodesPurpose, Encoding.UTF8.GetBytes(string.Join('\n', codes)));
        var factor = await db.TotpFactors.SingleOrDefaultAsync(f => f.UserId == user.Id, ct);
        if (factor is null)
        {
            db.TotpFactors.Add(new TotpFactorEntity
            {
                UserId = user.Id,
                SecretCiphertext = sealedSecret,
                PendingBackupCodesCiphertext = sealedCodes,
                CreatedAt = clock.GetUtcNow(),
            });
        }
        else
        {
            // Enable again before confirming: the new secret replaces the pending one (not yet in any app that matters).
            factor.SecretCiphertext = sealedSecret;
            factor.PendingBackupCodesCiphertext = sealedCodes;
            factor.CreatedAt = clock.GetUtcNow();
            factor.LastUsedStep = null;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent enable inserted the row first; this one's secret was never shown, so nothing is lost.
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.Conflict, "Conflict", "Another enrolment started at the same moment. Try again.");
        }

        var issuer = "Voxora (" + new Uri(origin.Url).Authority + ")";
        var uri = TotpCodes.OtpauthUri(secret, issuer, user.Username);
        return TypedResults.Ok(new TotpEnrollment(TotpCodes.ToBase32(secret), uri, QrDataUri(uri), codes.Select(BackupCodes.Display).ToList()));
    }

    /// <summary>A code from the app proves it holds the pending secret: two-factor sign-in is on from now, and the backup codes are shown one last time.</summary>
    private static async Task<Results<Ok<BackupCodesResponse>, ValidationProblem, ProblemHttpResult>> Confirm(
        ConfirmTotpRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher, MfaSecretProtector protector,
        SecondFactor secondFactor, [FromKeyedServices(ClockKey)] TimeProvider clock, CancellationToken ct)
    {
        if (!TotpCodes.IsWellFormed(request.Code))
        {
            return Problems.Validation("code", $"The code is the {TotpCodes.Digits} digits your authenticator app shows.");
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (user.MfaEnabled)
        {
            return AlreadyEnabled();
        }

        var factor = await db.TotpFactors.SingleOrDefaultAsync(f => f.UserId == user.Id, ct);
        if (factor?.PendingBackupCodesCiphertext is null)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.MfaNotPending, "Nothing to confirm", "Start with enable: there is no pending two-factor enrolment.");
        }

        if (!await secondFactor.CheckCodeAsync(user.Id, request.Code!, confirmed: false, ct))
        {
            return WrongCode();
        }

        if (protector.Unprotect(user.Id, SecondFactor.BackupCodesPurpose, factor.PendingBackupCodesCiphertext) is not { } sealedCodes)
        {
            throw new InvalidOperationException("The pending backup codes do not decrypt: the audit key changed since enable (the secret, sealed the same way, did).");
        }

        var codes = Encoding.UTF8.GetString(sealedCodes).Split('\n');
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.BackupCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
            db.BackupCodes.AddRange(codes.Select((code, slot) => new BackupCodeEntity { UserId = user.Id, Slot = slot, CodeHash = hasher.Hash(code) }));
            factor.ConfirmedAt = clock.GetUtcNow();
            factor.PendingBackupCodesCiphertext = null;
            user.MfaEnabled = true;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        return TypedResults.Ok(new BackupCodesResponse(codes.Select(BackupCodes.Display).ToList()));
    }

    /// <summary>Turns two-factor sign-in off: the password and a current code (or a backup code), then the secret and backup codes are gone.</summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Disable(
        DisableTotpRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher, LoginBackoff backoff,
        SecondFactor secondFactor, MfaChallenges challenges, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["Password is required."];
        var backupCode = FactorErrors(request.Code, request.BackupCode, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (await CurrentPassword.CheckAsync(http, user, request.Password, hasher, backoff) is { } refused)
        {
            return refused;
        }

        if (!user.MfaEnabled)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.MfaNotEnabled, "Two-factor is off", "Two-factor sign-in is not on for this account.");
        }

        if (!await secondFactor.CheckAsync(user.Id, request.Code, backupCode, ct))
        {
            // Someone holding the token and the password must not guess codes freely either.
            await backoff.RecordPasswordChangeFailureAsync(http.User.SessionId(), user.Username);
            return WrongCode();
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.TotpFactors.Where(f => f.UserId == user.Id).ExecuteDeleteAsync(ct);
            await db.BackupCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
            await challenges.ForgetUserAsync(user.Id, ct);
            user.MfaEnabled = false;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// Eight new backup codes, shown this once; the old ones (used or not) stop working. Proof as for disabling: the
    /// password and a current code or a backup code (which is then spent like any other).
    /// </summary>
    private static async Task<Results<Ok<BackupCodesResponse>, ValidationProblem, ProblemHttpResult>> RegenerateBackupCodes(
        RegenerateBackupCodesRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher, LoginBackoff backoff,
        SecondFactor secondFactor, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["Password is required."];
        var backupCode = FactorErrors(request.Code, request.BackupCode, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (await CurrentPassword.CheckAsync(http, user, request.Password, hasher, backoff) is { } refused)
        {
            return refused;
        }

        if (!user.MfaEnabled)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.MfaNotEnabled, "Two-factor is off", "Two-factor sign-in is not on for this account.");
        }

        if (!await secondFactor.CheckAsync(user.Id, request.Code, backupCode, ct))
        {
            await backoff.RecordPasswordChangeFailureAsync(http.User.SessionId(), user.Username);
            return WrongCode();
        }

        var codes = BackupCodes.Generate();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.BackupCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
            db.BackupCodes.AddRange(codes.Select((code, slot) => new BackupCodeEntity { UserId = user.Id, Slot = slot, CodeHash = hasher.Hash(code) }));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        return TypedResults.Ok(new BackupCodesResponse(codes.Select(BackupCodes.Display).ToList()));
    }

    /// <summary>
    /// Checks that exactly one of <c>code</c> (6 digits) and <c>backup_code</c> is given and well formed, adding to
    /// <paramref name="errors"/>; returns the backup code's canonical form. Malformed input never costs an attempt.
    /// </summary>
    private static string? FactorErrors(string? code, string? backupCode, Dictionary<string, string[]> errors)
    {
        if ((code is null) == (backupCode is null))
        {
            errors["code"] = ["Give either a code or a backup_code."];
            return null;
        }

        if (code is not null && !TotpCodes.IsWellFormed(code))
        {
            errors["code"] = [$"The code is the {TotpCodes.Digits} digits your authenticator app shows."];
        }

        var canonical = backupCode is null ? null : BackupCodes.Normalize(backupCode);
        if (backupCode is not null && canonical is null)
        {
            errors["backup_code"] = [$"A backup code is {BackupCodes.Length} letters and digits, like ABCD-EFGH."];
        }

        return canonical;
    }

    private static ProblemHttpResult AlreadyEnabled() =>
        Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.MfaAlreadyEnabled, "Two-factor is already on", "Two-factor sign-in is already on. Disable it first to set up a new authenticator.");

    private static ProblemHttpResult WrongCode() =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.InvalidMfaCode, "Wrong code", "The code is wrong, expired or was already used.");

    private static string QrDataUri(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(6));
    }
}
