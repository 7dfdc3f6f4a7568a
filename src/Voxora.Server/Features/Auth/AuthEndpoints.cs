using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.TwoFactor;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Auth;

/// <summary>Register, log in, refresh, log out, and the signed-in user's sessions.</summary>
public static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuthEndpoints(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Auth");

        auth.MapPost("/register", Register).WithSummary("Register an account and sign in")
            .ProblemResponse(StatusCodes.Status409Conflict, ProblemCodes.UsernameTaken)
            .ProblemResponse(StatusCodes.Status403Forbidden, ProblemCodes.RegistrationClosed, ProblemCodes.RegistrationInviteOnly, ProblemCodes.BannedFromCommunity)
            .ProblemResponse(StatusCodes.Status404NotFound, ProblemCodes.InviteNotFound)
            .ProblemResponse(StatusCodes.Status410Gone, ProblemCodes.InviteExpired, ProblemCodes.InviteExhausted, ProblemCodes.InviteRevoked).RequireRateLimiting(RateLimits.Auth);
        auth.MapPost("/login", Login).WithSummary("Sign in with username and password")
            .ProblemResponse(StatusCodes.Status401Unauthorized, ProblemCodes.InvalidCredentials)
            .ProblemResponse(StatusCodes.Status403Forbidden, ProblemCodes.PodBanned)
            .ProblemResponse(StatusCodes.Status429TooManyRequests, ProblemCodes.LoginBackoff).RequireRateLimiting(RateLimits.Auth);
        auth.MapPost("/refresh", Refresh).WithSummary("Exchange a refresh token for a new token pair")
            .ProblemResponse(StatusCodes.Status401Unauthorized, ProblemCodes.InvalidRefreshToken).RequireRateLimiting(RateLimits.Auth);

        var signedIn = auth.MapGroup("").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        signedIn.MapPost("/logout", Logout).WithSummary("Sign out: end the current login session");
        signedIn.MapGet("/sessions", ListSessions).WithSummary("The caller's active login sessions");
        signedIn.MapDelete("/sessions/{sessionId}", RevokeSession).WithSummary("End one of the caller's login sessions");
        return api;
    }

    /// <summary>
    /// A new account, as the pod's registration mode allows (<see cref="PodRegistration"/>): <c>open</c> takes anyone,
    /// <c>invite</c> needs a usable community invite (the account joins that community), <c>closed</c> nobody. The pod's
    /// first account is always allowed (it becomes the owner, so scripted installs keep working).
    /// </summary>
    private static async Task<Results<Created<User>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, VoxoraDbContext db, PasswordHasher hasher, PodOptions podOptions, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var errors = AccountErrors(request.Username, request.Password, request.Email, out var email);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var normalized = UserRules.Normalize(request.Username!);
        if (await db.Users.AnyAsync(u => u.UsernameNormalized == normalized, ct))
        {
            return UsernameTaken();
        }

        var mode = (await PodRegistration.CurrentAsync(db, podOptions, ct)).RegistrationMode;
        var inviteCode = string.IsNullOrWhiteSpace(request.InviteCode) ? null : request.InviteCode.Trim();
        if (mode == RegistrationModes.Closed && await db.Users.AnyAsync(ct))
        {
            return PodRegistration.Closed();
        }

        if (mode == RegistrationModes.Invite && inviteCode is null && await db.Users.AnyAsync(ct))
        {
            return PodRegistration.InviteOnly();
        }

        var user = NewAccount(request.Username!, normalized, email, request.Password!, hasher, clock);
        if (mode != RegistrationModes.Open && (mode == RegistrationModes.Closed || inviteCode is null))
        {
            // Only the pod's first account gets past a closed or invite-only pod, and only one of two racing ones.
            if (!await PodRegistration.TryCreateFirstAccountAsync(db, user, null, ct))
            {
                return await db.Users.AnyAsync(u => u.UsernameNormalized == normalized, ct) ? UsernameTaken()
                    : mode == RegistrationModes.Closed ? PodRegistration.Closed() : PodRegistration.InviteOnly();
            }

            return TypedResults.Created("/api/v1/users/@me", user.ToSelf());
        }

        if (inviteCode is not null)
        {
            return await PodRegistration.CreateWithInviteAsync(db, user, inviteCode, access, events, clock, ct) is { } refused
                ? refused
                : TypedResults.Created("/api/v1/users/@me", user.ToSelf());
        }

        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Lost a race with a concurrent registration of the same name: the unique index decided.
            db.ChangeTracker.Clear();
            if (await db.Users.AnyAsync(u => u.UsernameNormalized == normalized, ct))
            {
                return UsernameTaken();
            }

            throw;
        }

        return TypedResults.Created("/api/v1/users/@me", user.ToSelf());
    }

    /// <summary>What is wrong with a new account's username, password and e-mail (none: empty); the e-mail trimmed, or null.</summary>
    internal static Dictionary<string, string[]> AccountErrors(string? username, string? password, string? rawEmail, out string? email)
    {
        var errors = new Dictionary<string, string[]>();
        if (UserRules.UsernameError(username) is { } usernameError) errors["username"] = [usernameError];
        if (UserRules.PasswordError(password) is { } passwordError) errors["password"] = [passwordError];
        email = string.IsNullOrWhiteSpace(rawEmail) ? null : rawEmail.Trim();
        if (UserRules.EmailError(email) is { } emailError) errors["email"] = [emailError];
        return errors;
    }

    internal static UserAccount NewAccount(string username, string normalized, string? email, string password, PasswordHasher hasher, TimeProvider clock) => new()
    {
        Id = Ids.New(Ids.User),
        Username = username,
        UsernameNormalized = normalized,
        Email = email,
        PasswordHash = hasher.Hash(password),
        CreatedAt = clock.GetUtcNow(),
    };

    internal static ProblemHttpResult UsernameTaken() =>
        Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.UsernameTaken, "Username taken", "That username is already taken.");

    /// <summary>
    /// Tokens for a right password; with two-factor sign-in on, an <c>mfa_token</c> instead, to finish at
    /// <c>/users/@me/mfa/verify</c> (<see cref="TwoFactorEndpoints"/>).
    /// </summary>
    private static async Task<Results<Ok<TokenResponse>, Ok<MfaRequiredResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher, LoginBackoff backoff,
        SessionStore sessions, AccessTokens tokens, MfaChallenges challenges, AuthOptions options, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Login) || string.IsNullOrEmpty(request.Password))
        {
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrEmpty(request.Login)) errors["login"] = ["Login is required."];
            if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["Password is required."];
            return Problems.Validation(errors);
        }

        // A login longer than any username names no account; it is still checked (against the dummy hash)
        // so it costs and answers like any wrong password. Only its first characters key the back-off.
        var login = request.Login.Length <= UserRules.UsernameMax ? request.Login : request.Login[..UserRules.UsernameMax];
        var ip = http.Ip();
        if (await backoff.LoginWaitAsync(login, ip) is { } wait)
        {
            return TooManyAttempts(http, wait);
        }

        var normalized = UserRules.Normalize(login);
        var user = request.Login.Length <= UserRules.UsernameMax
            ? await db.Users.SingleOrDefaultAsync(u => u.UsernameNormalized == normalized, ct)
            : null;

        // Past the account-wide threshold only addresses the account has recently used may try; an
        // unknown account has none, so it answers the same as a known account seen from a new address.
        if (await backoff.AccountWideWaitAsync(login) is { } accountWait && !(user is not null && await IsKnownAddressAsync(db, user.Id, ip, options, clock, ct)))
        {
            return TooManyAttempts(http, accountWait);
        }

        // Unknown user, wrong password and impossible (over-long) password take the same path: the same
        // Argon2 work, the same answer.
        var valid = hasher.Check(request.Password, user?.PasswordHash, out var needsRehash) && user is not null;
        if (!valid)
        {
            await backoff.RecordLoginFailureAsync(login, ip);
            Infrastructure.Metrics.VoxoraMetrics.LoginFailures.Add(1);
            return Problems.Unauthorized(ProblemCodes.InvalidCredentials, "The username or password is incorrect.");
        }

        // With a second factor to come, only a right code clears this address's failures (a guesser who has the
        // password keeps backing off while guessing codes).
        if (!user!.MfaEnabled)
        {
            await backoff.RecordLoginSuccessAsync(login, ip);
        }

        if (await PodPermissions.IsBannedAsync(db, user.Id, ct))
        {
            // Only said after a correct password, so the ban tells a guesser nothing.
            return PodBannedProblem();
        }

        if (needsRehash)
        {
            user.PasswordHash = hasher.Hash(request.Password);
            await db.SaveChangesAsync(ct);
        }

        if (user.MfaEnabled)
        {
            var methods = await db.Passkeys.AnyAsync(p => p.UserId == user.Id, ct) ? [MfaMethods.Totp, MfaMethods.WebAuthn] : new List<string> { MfaMethods.Totp };
            return TypedResults.Ok(new MfaRequiredResponse(true, await challenges.CreateAsync(user.Id, ct), methods));
        }

        var (session, refresh) = await sessions.CreateAsync(user.Id, http.UserAgent(), ip, ct);
        return TypedResults.Ok(new TokenResponse(
            tokens.Issue(user.Id, session.Id),
            "Bearer",
            tokens.LifetimeSeconds,
            refresh));
    }

    /// <summary>
    /// An address is known to an account when one of the account's login sessions (active or not) was
    /// last used from it within <see cref="AuthOptions.KnownAddressDays"/>: only someone who once had the
    /// password, or shares the owner's address, gets past the account-wide back-off.
    /// </summary>
    private static Task<bool> IsKnownAddressAsync(VoxoraDbContext db, string userId, string ip, AuthOptions options, TimeProvider clock, CancellationToken ct)
    {
        var since = clock.GetUtcNow().AddDays(-options.KnownAddressDays);
        return db.Sessions.AsNoTracking().AnyAsync(s => s.UserId == userId && s.Ip == ip && s.LastUsedAt > since, ct);
    }

    private static ProblemHttpResult PodBannedProblem() =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.PodBanned, "Banned", "This account is banned from this server.");

    private static ProblemHttpResult TooManyAttempts(HttpContext http, TimeSpan wait)
    {
        var seconds = http.Response.SetRetryAfter(wait);
        return Problems.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.LoginBackoff, "Too many failed logins",
            $"Too many failed logins. Try again in {seconds} seconds.");
    }

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, HttpContext http, SessionStore sessions, AccessTokens tokens, VoxoraDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return Problems.Validation("refresh_token", "Refresh token is required.");
        }

        if (request.RefreshToken.Length > 256)
        {
            return InvalidRefresh();
        }

        var result = await sessions.RotateAsync(request.RefreshToken, http.UserAgent(), http.Ip(), ct);
        if (result.Outcome != RotationOutcome.Rotated)
        {
            return InvalidRefresh();
        }

        var session = result.Session!;
        if (await PodPermissions.IsBannedAsync(db, session.UserId, ct))
        {
            await sessions.RevokeAsync(session.Id, ct);
            return PodBannedProblem();
        }

        return TypedResults.Ok(new TokenResponse(
            tokens.Issue(session.UserId, session.Id),
            "Bearer",
            tokens.LifetimeSeconds,
            result.RefreshToken!));
    }

    private static ProblemHttpResult InvalidRefresh() =>
        Problems.Unauthorized(ProblemCodes.InvalidRefreshToken, "The refresh token is invalid, expired or was already used. Sign in again.");

    private static async Task<NoContent> Logout(HttpContext http, SessionStore sessions, CancellationToken ct)
    {
        await sessions.RevokeAsync(http.User.SessionId(), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<SessionInfo>>> ListSessions(HttpContext http, SessionStore sessions, CancellationToken ct)
    {
        var current = http.User.SessionId();
        var list = await sessions.ListActiveAsync(http.User.UserId(), ct);
        return TypedResults.Ok(list
            .Select(s => new SessionInfo(s.Id, s.CreatedAt, s.LastUsedAt, s.UserAgent, s.Ip, s.Id == current))
            .ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeSession(
        string sessionId, HttpContext http, SessionStore sessions, TimeProvider clock, CancellationToken ct)
    {
        // Another user's session answers exactly like a missing one.
        var session = Ids.IsWellFormed(sessionId, Ids.Session) ? await sessions.FindAsync(sessionId, ct) : null;
        if (session is null || session.UserId != http.User.UserId() || !session.IsActive(clock.GetUtcNow()))
        {
            return Problems.NotFound("Session");
        }

        await sessions.RevokeAsync(session.Id, ct);
        return TypedResults.NoContent();
    }
}
