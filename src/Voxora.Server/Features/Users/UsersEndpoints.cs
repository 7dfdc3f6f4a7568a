using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Auth;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Users;

/// <summary>The signed-in user's own account.</summary>
public static class UsersEndpoints
{
    public static RouteGroupBuilder MapUsersEndpoints(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/users/@me").WithTags("Users").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        me.MapGet("", GetMe).WithSummary("The signed-in user");
        me.MapPatch("", UpdateMe).WithSummary("Change the signed-in user's display name");
        me.MapPost("/password", ChangePassword).WithSummary("Change the signed-in user's password (ends the other sessions)");
        return api;
    }

    private static async Task<Results<Ok<User>, ProblemHttpResult>> GetMe(HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        return user is null ? Problems.NotFound("User") : TypedResults.Ok(user.ToSelf());
    }

    private static async Task<Results<Ok<User>, ValidationProblem, ProblemHttpResult>> UpdateMe(
        UpdateMeRequest request, HttpContext http, VoxoraDbContext db, DomainEvents events, CancellationToken ct)
    {
        if (UserRules.DisplayNameError(request.DisplayName, out var displayName) is { } error)
        {
            return Problems.Validation("display_name", error);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        // Showing as someone else's username is impersonation; showing as your own is fine.
        if (displayName is not null && UserRules.UsernameLookalike(displayName) is { } lookalike
            && await db.Users.AnyAsync(u => u.UsernameNormalized == lookalike && u.Id != user.Id, ct))
        {
            return Problems.Validation("display_name", "Display name must not be another user's username.");
        }

        var changed = user.DisplayName != displayName;
        user.DisplayName = displayName;
        await db.SaveChangesAsync(ct);
        if (changed)
        {
            await events.PublishAsync(new UserUpdated(user.ToSummary()));
        }

        return TypedResults.Ok(user.ToSelf());
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher,
        SessionStore sessions, LoginBackoff backoff, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.CurrentPassword)) errors["current_password"] = ["Current password is required."];
        if (UserRules.PasswordError(request.NewPassword) is { } passwordError) errors["new_password"] = [passwordError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (await CurrentPassword.CheckAsync(http, user, request.CurrentPassword, hasher, backoff) is { } refused)
        {
            return refused;
        }

        user.PasswordHash = hasher.Hash(request.NewPassword!);
        await db.SaveChangesAsync(ct);
        await sessions.RevokeOthersAsync(user.Id, http.User.SessionId(), ct);
        return TypedResults.NoContent();
    }
}
