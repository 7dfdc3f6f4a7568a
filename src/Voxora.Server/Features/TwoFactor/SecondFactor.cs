using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;

namespace Voxora.Server.Features.TwoFactor;

/// <summary>
/// Checks a second factor and uses it up: a TOTP code's time step (so the same code, or an older one, is refused
/// afterwards) or a backup code (once). Both are spent with conditional UPDATEs, so two requests presenting the same
/// code at the same moment, on one node or two, cannot both succeed.
/// </summary>
public sealed class SecondFactor(VoxoraDbContext db, MfaSecretProtector protector, PasswordHasher hasher,
    [FromKeyedServices(TwoFactorEndpoints.ClockKey)] TimeProvider clock)
{
    public const string SecretPurpose = "totp-secret";
    public const string BackupCodesPurpose = "backup-codes";

    /// <summary>A code or (canonical) backup code against the user's confirmed factor.</summary>
    public Task<bool> CheckAsync(string userId, string? code, string? backupCode, CancellationToken ct) =>
        code is not null ? CheckCodeAsync(userId, code, confirmed: true, ct)
        : backupCode is not null ? CheckBackupCodeAsync(userId, backupCode, ct)
        : Task.FromResult(false);

    /// <summary>A 6-digit code against the confirmed secret, or (<paramref name="confirmed"/> false) the pending one.</summary>
    public async Task<bool> CheckCodeAsync(string userId, string code, bool confirmed, CancellationToken ct)
    {
        var factor = await db.TotpFactors.AsNoTracking().SingleOrDefaultAsync(f => f.UserId == userId, ct);
        if (factor is null || (factor.ConfirmedAt is not null) != confirmed
            || protector.Unprotect(userId, SecretPurpose, factor.SecretCiphertext) is not { } secret
            || TotpCodes.MatchStep(secret, code, clock.GetUtcNow()) is not { } step)
        {
            return false;
        }

        // Same secret (an enable may just have replaced a pending one) and a step newer than any used before.
        var ciphertext = factor.SecretCiphertext;
        return await db.TotpFactors
            .Where(f => f.UserId == userId && f.SecretCiphertext == ciphertext && (f.LastUsedStep == null || f.LastUsedStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.LastUsedStep, step), ct) == 1;
    }

    private async Task<bool> CheckBackupCodeAsync(string userId, string canonical, CancellationToken ct)
    {
        var unused = await db.BackupCodes.AsNoTracking()
            .Where(c => c.UserId == userId && c.UsedAt == null)
            .ToListAsync(ct);
        var match = unused.FirstOrDefault(c => hasher.Verify(canonical, c.CodeHash));
        if (match is null)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        return await db.BackupCodes
            .Where(c => c.UserId == userId && c.Slot == match.Slot && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), ct) == 1;
    }
}
