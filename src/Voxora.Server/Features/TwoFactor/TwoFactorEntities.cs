using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.TwoFactor;

/// <summary>
/// A user's authenticator secret: pending from enable until confirm (<see cref="ConfirmedAt"/> null, the backup codes
/// still held encrypted so confirm can show them once more), then active until disable deletes the row.
/// </summary>
public sealed class TotpFactorEntity
{
    public required string UserId { get; init; }
    public UserAccount? User { get; init; }

    /// <summary>The secret, sealed by <see cref="MfaSecretProtector"/>.</summary>
    public required byte[] SecretCiphertext { get; set; }

    /// <summary>The backup codes of a pending enrolment, sealed; null once confirmed (then only their hashes remain).</summary>
    public byte[]? PendingBackupCodesCiphertext { get; set; }

    public required DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>The newest time step whose code was accepted: that code and every older one are refused from then on.</summary>
    public long? LastUsedStep { get; set; }
}

/// <summary>One backup code, stored only as its Argon2id hash; used once.</summary>
public sealed class BackupCodeEntity
{
    public required string UserId { get; init; }
    public required int Slot { get; init; }
    public required string CodeHash { get; init; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// A login waiting for its second factor: the <c>mfa_token</c> (stored as SHA-256), good for 5 minutes, once, and for
/// 5 attempts. In the database so any node of a cluster can finish the login another node started.
/// </summary>
public sealed class MfaChallengeEntity
{
    public required string TokenHash { get; init; }
    public required string UserId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public int Attempts { get; set; }
    public DateTimeOffset? SpentAt { get; set; }
}

internal sealed class TotpFactorConfiguration : IEntityTypeConfiguration<TotpFactorEntity>
{
    public void Configure(EntityTypeBuilder<TotpFactorEntity> builder)
    {
        builder.ToTable("totp_factors");
        builder.HasKey(f => f.UserId);
        builder.Property(f => f.UserId).HasMaxLength(40);
        builder.HasOne(f => f.User).WithOne().HasForeignKey<TotpFactorEntity>(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BackupCodeConfiguration : IEntityTypeConfiguration<BackupCodeEntity>
{
    public void Configure(EntityTypeBuilder<BackupCodeEntity> builder)
    {
        builder.ToTable("mfa_backup_codes");
        builder.HasKey(c => new { c.UserId, c.Slot });
        builder.Property(c => c.UserId).HasMaxLength(40);
        builder.Property(c => c.CodeHash).HasMaxLength(256);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MfaChallengeConfiguration : IEntityTypeConfiguration<MfaChallengeEntity>
{
    public void Configure(EntityTypeBuilder<MfaChallengeEntity> builder)
    {
        builder.ToTable("mfa_challenges");
        builder.HasKey(c => c.TokenHash);
        builder.Property(c => c.TokenHash).HasMaxLength(64);
        builder.Property(c => c.UserId).HasMaxLength(40);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.UserId);
    }
}
