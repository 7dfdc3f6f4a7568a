using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;

namespace Voxora.Server.Features.TwoFactor;

/// <summary>
/// Logins waiting for their second factor. Every change is one conditional UPDATE, so the limits hold across
/// concurrent requests and across the nodes of a cluster: at most <see cref="MaxAttempts"/> attempts per token,
/// and exactly one successful verify.
/// </summary>
public sealed class MfaChallenges(VoxoraDbContext db, [FromKeyedServices(TwoFactorEndpoints.ClockKey)] TimeProvider clock)
{
    public const string TokenPrefix = "mfa_";
    public const int MaxAttempts = 5;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public async Task<string> CreateAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();

        // The user's dead challenges go now, so they never pile up.
        await db.MfaChallenges
            .Where(c => c.UserId == userId && (c.ExpiresAt <= now || c.SpentAt != null || c.Attempts >= MaxAttempts))
            .ExecuteDeleteAsync(ct);

        var token = TokenPrefix + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.MfaChallenges.Add(new MfaChallengeEntity
        {
            TokenHash = SessionStore.HashToken(token),
            UserId = userId,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        });
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>
    /// Counts one attempt on a live token and returns whose login it is; null when the token is unknown, expired,
    /// spent or has no attempts left. The attempt counts before the code is checked, so guesses racing each other
    /// cannot get past the limit.
    /// </summary>
    public async Task<string?> TakeAttemptAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 128)
        {
            return null;
        }

        var hash = SessionStore.HashToken(token);
        var now = clock.GetUtcNow();
        var taken = await db.MfaChallenges
            .Where(c => c.TokenHash == hash && c.SpentAt == null && c.ExpiresAt > now && c.Attempts < MaxAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Attempts, c => c.Attempts + 1), ct);
        return taken == 0 ? null : await db.MfaChallenges.Where(c => c.TokenHash == hash).Select(c => c.UserId).SingleOrDefaultAsync(ct);
    }

    /// <summary>Whose login a live token is (unknown, expired, spent or exhausted: null), without counting an attempt.</summary>
    public async Task<string?> PeekAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 128)
        {
            return null;
        }

        var hash = SessionStore.HashToken(token);
        var now = clock.GetUtcNow();
        return await db.MfaChallenges.AsNoTracking()
            .Where(c => c.TokenHash == hash && c.SpentAt == null && c.ExpiresAt > now && c.Attempts < MaxAttempts)
            .Select(c => c.UserId).SingleOrDefaultAsync(ct);
    }

    /// <summary>Uses the token up after a correct second factor; false if another request already did (or it just expired).</summary>
    public async Task<bool> SpendAsync(string token, CancellationToken ct)
    {
        var hash = SessionStore.HashToken(token);
        var now = clock.GetUtcNow();
        return await db.MfaChallenges
            .Where(c => c.TokenHash == hash && c.SpentAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.SpentAt, now), ct) == 1;
    }

    /// <summary>Ends every pending login of the user (two-factor was turned off, so they no longer mean anything).</summary>
    public Task ForgetUserAsync(string userId, CancellationToken ct) =>
        db.MfaChallenges.Where(c => c.UserId == userId).ExecuteDeleteAsync(ct);
}
