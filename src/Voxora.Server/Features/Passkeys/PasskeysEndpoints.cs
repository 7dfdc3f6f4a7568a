using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.TwoFactor;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Passkeys;

/// <summary>
/// Passkeys (WebAuthn, seed 000 §H2-2): the signed-in user registers (with the password), lists, renames and removes
/// them (with the password); anyone signs in with one (<c>/auth/passkey/begin|complete</c>, user verification
/// required, discoverable credentials); and a login waiting for its second factor can finish with one
/// (<c>/users/@me/mfa/webauthn/begin</c>, then <c>/users/@me/mfa/verify</c> with the <c>credential</c>).
/// </summary>
public static class PasskeysEndpoints
{
    public const string IdPrefix = "pk";

    public static void AddPasskeys(IServiceCollection services, WebAuthnOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<WebAuthnRelyingParty>();
        services.AddScoped<PasskeyCeremonies>();
        services.AddSingleton<PasskeyAudit>();
        services.AddDomainEventHandler<PasskeyAdded, PasskeyAudit>();
        services.AddDomainEventHandler<PasskeyRemoved, PasskeyAudit>();
    }

    public static RouteGroupBuilder MapPasskeysEndpoints(this RouteGroupBuilder api)
    {
        var mine = api.MapGroup("/users/@me/passkeys").WithTags("Passkeys").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        mine.MapPost("/register/begin", BeginRegistration).WithSummary("Start registering a passkey (needs the password): WebAuthn creation options")
            .ProblemResponse(StatusCodes.Status403Forbidden, ProblemCodes.InvalidCredentials)
            .ProblemResponse(StatusCodes.Status429TooManyRequests, ProblemCodes.LoginBackoff);
        mine.MapPost("/register/complete", CompleteRegistration).WithSummary("Finish registering a passkey with the authenticator's attestation")
            .ProblemResponse(StatusCodes.Status400BadRequest, ProblemCodes.WebAuthnChallengeInvalid, ProblemCodes.PasskeyRejected)
            .ProblemResponse(StatusCodes.Status409Conflict, ProblemCodes.PasskeyAlreadyRegistered);
        mine.MapGet("", List).WithSummary("The caller's passkeys");
        mine.MapPatch("/{passkeyId}", Rename).WithSummary("Rename one of the caller's passkeys");
        mine.MapDelete("/{passkeyId}", Delete).WithSummary("Remove one of the caller's passkeys (needs the password)")
            .ProblemResponse(StatusCodes.Status403Forbidden, ProblemCodes.InvalidCredentials)
            .ProblemResponse(StatusCodes.Status429TooManyRequests, ProblemCodes.LoginBackoff);

        var auth = api.MapGroup("/auth/passkey").WithTags("Auth").RequireRateLimiting(RateLimits.Auth);
        auth.MapPost("/begin", BeginSignIn).WithSummary("Start signing in with a passkey: WebAuthn request options (user verification required)");
        auth.MapPost("/complete", CompleteSignIn).WithSummary("Finish signing in with a passkey: the assertion gives the tokens a password login would")
            .ProblemResponse(StatusCodes.Status401Unauthorized, ProblemCodes.WebAuthnChallengeInvalid, ProblemCodes.PasskeyRejected)
            .ProblemResponse(StatusCodes.Status403Forbidden, ProblemCodes.PodBanned);

        api.MapPost("/users/@me/mfa/webauthn/begin", BeginSecondFactor).WithTags("Two-factor").RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Second step of a sign in with two-factor, with a passkey: WebAuthn request options for the login's passkeys")
            .ProblemResponse(StatusCodes.Status401Unauthorized, ProblemCodes.InvalidMfaToken);
        return api;
    }

    private static async Task<Results<Ok<PasskeyCreationOptions>, ValidationProblem, ProblemHttpResult>> BeginRegistration(
        BeginPasskeyRegistrationRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher, LoginBackoff backoff,
        PasskeyCeremonies ceremonies, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Password))
        {
            return Problems.Validation("password", "Password is required.");
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (await CurrentPassword.CheckAsync(http, user, request.Password, hasher, backoff) is { } refused)
        {
            return refused;
        }

        var options = await ceremonies.BeginRegistrationAsync(user, ct);
        return TypedResults.Ok(new PasskeyCreationOptions(JsonDocument.Parse(options.ToJson()).RootElement));
    }

    private static async Task<Results<Created<Passkey>, ValidationProblem, ProblemHttpResult>> CompleteRegistration(
        CompletePasskeyRegistrationRequest request, HttpContext http, VoxoraDbContext db, PasskeyCeremonies ceremonies,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Credential is not { ValueKind: JsonValueKind.Object }) errors["credential"] = ["The credential from navigator.credentials.create is required."];
        var name = NameOrError(request.Name ?? "Passkey", errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var userId = http.User.UserId();
        var (credential, failure) = await ceremonies.CompleteRegistrationAsync(userId, request.Credential!.Value, ct);
        if (credential is null)
        {
            return RegistrationFailure(failure);
        }

        var passkey = new PasskeyEntity
        {
            Id = Ids.New(IdPrefix),
            UserId = userId,
            CredentialId = credential.Id,
            PublicKey = credential.PublicKey,
            SignCount = credential.SignCount,
            Transports = credential.Transports is { Length: > 0 } transports ? string.Join(',', transports.Select(PasskeyCeremonies.TransportName)) : null,
            Name = name!,
            BackupEligible = credential.IsBackupEligible,
            BackedUp = credential.IsBackedUp,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Passkeys.Add(passkey);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same credential registered at the same moment by a concurrent request: the unique index decided.
            return RegistrationFailure(CeremonyFailure.Duplicate);
        }

        await events.PublishAsync(new PasskeyAdded(userId, passkey.Id, passkey.Name));
        return TypedResults.Created($"/api/v1/users/@me/passkeys/{passkey.Id}", ToWire(passkey));
    }

    private static async Task<Ok<List<Passkey>>> List(HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var passkeys = await db.Passkeys.AsNoTracking().Where(p => p.UserId == userId).ToListAsync(ct);
        return TypedResults.Ok(passkeys.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id, StringComparer.Ordinal).Select(ToWire).ToList());
    }

    private static async Task<Results<Ok<Passkey>, ValidationProblem, ProblemHttpResult>> Rename(
        string passkeyId, RenamePasskeyRequest request, HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = NameOrError(request.Name, errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var passkey = await FindOwnAsync(db, passkeyId, http, ct);
        if (passkey is null)
        {
            return Problems.NotFound("Passkey");
        }

        passkey.Name = name!;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToWire(passkey));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Delete(
        string passkeyId, [FromBody] DeletePasskeyRequest? request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher,
        LoginBackoff backoff, DomainEvents events, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request?.Password))
        {
            return Problems.Validation("password", "Password is required.");
        }

        var passkey = await FindOwnAsync(db, passkeyId, http, ct);
        var user = passkey is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == passkey.UserId, ct);
        if (passkey is null || user is null)
        {
            return Problems.NotFound("Passkey");
        }

        if (await CurrentPassword.CheckAsync(http, user, request.Password, hasher, backoff) is { } refused)
        {
            return refused;
        }

        if (await db.Passkeys.Where(p => p.Id == passkey.Id).ExecuteDeleteAsync(ct) == 0)
        {
            return Problems.NotFound("Passkey");
        }

        await events.PublishAsync(new PasskeyRemoved(user.Id, passkey.Id, passkey.Name));
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PasskeyRequestOptions>> BeginSignIn(PasskeyCeremonies ceremonies, CancellationToken ct)
    {
        var options = await ceremonies.BeginAssertionAsync(PasskeyCeremonies.SignInPurpose, null, ct);
        return TypedResults.Ok(new PasskeyRequestOptions(JsonDocument.Parse(options.ToJson()).RootElement));
    }

    /// <summary>
    /// A verified passkey (user verification required: the authenticator checked a PIN or biometric, so it is two
    /// factors on its own) signs in like a password and its second factor together.
    /// </summary>
    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> CompleteSignIn(
        PasskeySignInRequest request, HttpContext http, VoxoraDbContext db, PasskeyCeremonies ceremonies, SessionStore sessions,
        AccessTokens tokens, ILogger<PasskeyCeremonies> logger, CancellationToken ct)
    {
        if (request.Credential is not { ValueKind: JsonValueKind.Object } credential)
        {
            return Problems.Validation("credential", "The credential from navigator.credentials.get is required.");
        }

        var (userId, failure) = await ceremonies.CompleteAssertionAsync(PasskeyCeremonies.SignInPurpose, null, credential, ct);
        if (userId is null)
        {
            if (failure == CeremonyFailure.Malformed)
            {
                return Problems.Validation("credential", "This is not a WebAuthn assertion.");
            }

            logger.LogInformation("Passkey sign-in refused ({Failure}) from {Ip}", failure, http.Ip());
            Infrastructure.Metrics.VoxoraMetrics.LoginFailures.Add(1);
            return failure == CeremonyFailure.Challenge
                ? Problems.Unauthorized(ProblemCodes.WebAuthnChallengeInvalid, "This passkey sign-in expired or was already used. Try again.")
                : Problems.Unauthorized(ProblemCodes.PasskeyRejected, "This passkey was not accepted.");
        }

        if (await PodPermissions.IsBannedAsync(db, userId, ct))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.PodBanned, "Banned", "This account is banned from this server.");
        }

        var (session, refresh) = await sessions.CreateAsync(userId, http.UserAgent(), http.Ip(), ct);
        return TypedResults.Ok(new TokenResponse(tokens.Issue(userId, session.Id), "Bearer", tokens.LifetimeSeconds, refresh));
    }

    private static async Task<Results<Ok<PasskeyRequestOptions>, ValidationProblem, ProblemHttpResult>> BeginSecondFactor(
        BeginMfaPasskeyRequest request, VoxoraDbContext db, MfaChallenges challenges, PasskeyCeremonies ceremonies, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.MfaToken))
        {
            return Problems.Validation("mfa_token", "The mfa_token from login is required.");
        }

        var userId = await challenges.PeekAsync(request.MfaToken, ct);
        if (userId is null || !await db.Passkeys.AnyAsync(p => p.UserId == userId, ct))
        {
            return Problems.Unauthorized(ProblemCodes.InvalidMfaToken, "This sign-in expired or was used up, or the account has no passkey. Sign in again with your password.");
        }

        var options = await ceremonies.BeginAssertionAsync(PasskeyCeremonies.SecondFactorPurpose, userId, ct);
        return TypedResults.Ok(new PasskeyRequestOptions(JsonDocument.Parse(options.ToJson()).RootElement));
    }

    private static ProblemHttpResult RegistrationFailure(CeremonyFailure failure) => failure switch
    {
        CeremonyFailure.Duplicate => Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.PasskeyAlreadyRegistered, "Already registered", "This passkey is already registered."),
        CeremonyFailure.Challenge => Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WebAuthnChallengeInvalid, "Challenge expired",
            "This registration expired or was already used. Start again."),
        CeremonyFailure.Malformed => Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.ValidationFailed, "Malformed credential", "This is not a WebAuthn attestation."),
        _ => Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.PasskeyRejected, "Passkey not accepted",
            "The authenticator's response did not verify for this server (origin, relying party, user verification or signature)."),
    };

    private static async Task<PasskeyEntity?> FindOwnAsync(VoxoraDbContext db, string passkeyId, HttpContext http, CancellationToken ct)
    {
        if (!Ids.IsWellFormed(passkeyId, IdPrefix))
        {
            return null;
        }

        // Another user's passkey answers exactly like a missing one.
        var userId = http.User.UserId();
        return await db.Passkeys.SingleOrDefaultAsync(p => p.Id == passkeyId && p.UserId == userId, ct);
    }

    private static string? NameOrError(string? raw, Dictionary<string, string[]> errors)
    {
        var name = raw?.Trim();
        if (string.IsNullOrEmpty(name) || new StringInfo(name).LengthInTextElements > PasskeyRules.NameMax || name.Length > PasskeyRules.NameMax * 2
            || name.Any(char.IsControl))
        {
            errors["name"] = [$"A passkey's name is 1 to {PasskeyRules.NameMax} characters."];
            return null;
        }

        return name;
    }

    private static Passkey ToWire(PasskeyEntity p) =>
        new(p.Id, p.Name, p.CreatedAt, p.LastUsedAt, p.Transports?.Split(',') ?? [], p.BackedUp);
}
