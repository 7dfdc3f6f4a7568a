using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Voxora.Server.Data;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Auth;

public enum RotationOutcome
{
    Rotated,
    Invalid,
    Replayed,
}

public sealed record RotationResult(RotationOutcome Outcome, LoginSession? Session = null, string? RefreshToken = null);

/// <summary>Sessions and their refresh tokens: create on login, rotate on refresh, revoke (raising <see cref="LoginSessionsEnded"/>).</summary>
public sealed class SessionStore(VoxoraDbContext db, TimeProvider clock, AuthOptions options, SessionValidator validator, GatewayHub gateway, DomainEvents events)
{
    public async Task<(LoginSession Session, string RefreshToken)> CreateAsync(string userId, string? userAgent, string? ip, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var session = new LoginSession
        {
            Id = Ids.New(Ids.Session),
            UserId = userId,
            CreatedAt = now,
            LastUsedAt = now,
            ExpiresAt = now.AddDays(options.RefreshTokenDays),
            UserAgent = Truncate(userAgent, 512),
            Ip = Truncate(ip, 64),
        };
        db.Sessions.Add(session);
        var refresh = NewRefreshToken(session.Id, now);
        db.RefreshTokens.Add(refresh.Entity);
        await db.SaveChangesAsync(ct);
        return (session, refresh.Plain);
    }

    /// <summary>
    /// Spends a refresh token and issues its successor. The conditional UPDATE makes the spend atomic:
    /// of two concurrent uses exactly one wins, and the loser is treated as a replay.
    /// </summary>
    public async Task<RotationResult> RotateAsync(string presented, string? userAgent, string? ip, CancellationToken ct)
    {
        var hash = HashToken(presented);
        var now = clock.GetUtcNow();
        var token = await db.RefreshTokens.AsNoTracking()
            .Include(t => t.Session)
            .SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (token?.Session is null)
        {
            return new RotationResult(RotationOutcome.Invalid);
        }

        var session = token.Session;
        if (!session.IsActive(now) || token.ExpiresAt <= now)
        {
            return new RotationResult(RotationOutcome.Invalid);
        }

        var spent = await db.RefreshTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        if (spent == 0)
        {
            // A token that was already used came back: someone holds a copy. End the whole login.
            await RevokeAsync(session.Id, ct);
            return new RotationResult(RotationOutcome.Replayed, session);
        }

        var next = NewRefreshToken(session.Id, now);
        db.RefreshTokens.Add(next.Entity);
        db.Sessions.Attach(session);
        session.LastUsedAt = now;
        session.ExpiresAt = now.AddDays(options.RefreshTokenDays);
        session.UserAgent = Truncate(userAgent, 512) ?? session.UserAgent;
        session.Ip = Truncate(ip, 64) ?? session.Ip;
        await db.SaveChangesAsync(ct);
        return new RotationResult(RotationOutcome.Rotated, session, next.Plain);
    }

    public async Task<bool> RevokeAsync(string sessionId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var userId = await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null).Select(s => s.UserId).SingleOrDefaultAsync(ct);
        var revoked = await db.Sessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), ct);
        validator.Forget(sessionId);
        gateway.EndLoginSession(sessionId);
        if (revoked > 0 && userId is not null)
        {
            await events.PublishAsync(new LoginSessionsEnded(userId, [sessionId]));
        }

        return revoked > 0;
    }

    /// <summary>Ends every session of the user (a pod ban, an admin's "end all"); answers the ids it ended.</summary>
    public Task<List<string>> RevokeAllAsync(string userId, CancellationToken ct) => RevokeOthersAsync(userId, "", ct);

    /// <summary>Ends every session of the user except <paramref name="keepSessionId"/>; answers the ids it ended.</summary>
    public async Task<List<string>> RevokeOthersAsync(string userId, string keepSessionId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ids = await db.Sessions
            .Where(s => s.UserId == userId && s.Id != keepSessionId && s.RevokedAt == null)
            .Select(s => s.Id)
            .ToListAsync(ct);
        await db.Sessions
            .Where(s => ids.Contains(s.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), ct);
        foreach (var id in ids)
        {
            validator.Forget(id);
            gateway.EndLoginSession(id);
        }

        if (ids.Count > 0)
        {
            await events.PublishAsync(new LoginSessionsEnded(userId, ids));
        }

        return ids;
    }

    public async Task<List<LoginSession>> ListActiveAsync(string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastUsedAt)
            .ToListAsync(ct);
    }

    public Task<LoginSession?> FindAsync(string sessionId, CancellationToken ct) =>
        db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, ct);

    private (RefreshToken Entity, string Plain) NewRefreshToken(string sessionId, DateTimeOffset now)
    {
        var plain = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (new RefreshToken
        {
            TokenHash = HashToken(plain),
            SessionId = sessionId,
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.RefreshTokenDays),
        }, plain);
    }

    // Refresh tokens (and mfa_tokens) carry 256 random bits, so a plain SHA-256 is enough: no salt or slow hash needed.
    internal static string HashToken(string plain) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(plain)));

    private static string? Truncate(string? value, int max) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : value[..max];
}
