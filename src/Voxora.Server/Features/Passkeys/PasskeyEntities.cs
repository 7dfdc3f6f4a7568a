using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Passkeys;

/// <summary>
/// A registered passkey: the credential id (unique across the pod), its COSE public key and the last signature
/// counter seen. The key material is public by nature; only a holder of the private key can sign an assertion.
/// </summary>
public sealed class PasskeyEntity
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required byte[] CredentialId { get; init; }
    public required byte[] PublicKey { get; init; }

    /// <summary>The authenticator's signature counter (a uint32) at the last accepted use; a later assertion must show a larger one unless both are 0.</summary>
    public long SignCount { get; set; }

    /// <summary>Comma-separated transports the authenticator reported (usb, nfc, ble, internal, hybrid…), passed back as hints.</summary>
    public string? Transports { get; init; }

    public required string Name { get; set; }
    public bool BackupEligible { get; init; }
    public bool BackedUp { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>
/// A WebAuthn ceremony in progress: the options sent to the browser (their challenge is the key, stored as SHA-256),
/// what they are for and for whom. In the database so any node can finish a ceremony another started; deleted by the
/// node that finishes it (a conditional DELETE, so a challenge is used once), and dead after 2 minutes.
/// </summary>
public sealed class WebAuthnChallengeEntity
{
    public required string ChallengeHash { get; init; }
    public required string Purpose { get; init; }

    /// <summary>The user a registration or second-factor ceremony is for; null for passwordless sign-in (the passkey names its user).</summary>
    public string? UserId { get; init; }

    /// <summary>The options as sent (Fido2's JSON), needed again to verify the response.</summary>
    public required string OptionsJson { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
}

internal sealed class PasskeyConfiguration : IEntityTypeConfiguration<PasskeyEntity>
{
    public void Configure(EntityTypeBuilder<PasskeyEntity> builder)
    {
        builder.ToTable("passkeys");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(40);
        builder.Property(p => p.UserId).HasMaxLength(40);
        builder.Property(p => p.CredentialId).HasMaxLength(1023);
        builder.Property(p => p.Transports).HasMaxLength(128);
        builder.Property(p => p.Name).HasMaxLength(Protocol.PasskeyRules.NameMax * 2);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => p.UserId);
        builder.HasIndex(p => p.CredentialId).IsUnique();
    }
}

internal sealed class WebAuthnChallengeConfiguration : IEntityTypeConfiguration<WebAuthnChallengeEntity>
{
    public void Configure(EntityTypeBuilder<WebAuthnChallengeEntity> builder)
    {
        builder.ToTable("webauthn_challenges");
        builder.HasKey(c => c.ChallengeHash);
        builder.Property(c => c.ChallengeHash).HasMaxLength(64);
        builder.Property(c => c.Purpose).HasMaxLength(16);
        builder.Property(c => c.UserId).HasMaxLength(40);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.ExpiresAt);
    }
}
