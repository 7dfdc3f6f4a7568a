using Microsoft.AspNetCore.Http.HttpResults;
using Voxora.Protocol;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// The signed-in user proving their password again before a sensitive change (password change, turning two-factor
/// sign-in on or off). A stolen access token must not be a way to guess the password without back-off; the count is
/// per login session, so strangers' failed logins never block the signed-in owner here.
/// </summary>
public static class CurrentPassword
{
    /// <summary>Null when <paramref name="presented"/> is the password; otherwise the answer to give (429 while backed off, 403 when wrong).</summary>
    public static async Task<ProblemHttpResult?> CheckAsync(HttpContext http, UserAccount user, string? presented, PasswordHasher hasher, LoginBackoff backoff)
    {
        var sessionId = http.User.SessionId();
        if (await backoff.PasswordChangeWaitAsync(sessionId) is { } wait)
        {
            http.Response.SetRetryAfter(wait);
            return Problems.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.LoginBackoff, "Too many failed attempts", "Too many wrong passwords. Try again later.");
        }

        if (!hasher.Check(presented, user.PasswordHash, out _))
        {
            await backoff.RecordPasswordChangeFailureAsync(sessionId, user.Username);
            return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.InvalidCredentials, "Wrong password", "The current password is incorrect.");
        }

        return null;
    }
}
