using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// An ES256 key that signs access tokens. Kept in the database (not the data folder) so every node of a
/// scaled-out deployment signs and verifies with the same keys. Database backups therefore hold it too.
/// </summary>
public sealed class SigningKey
{
    public required string Id { get; init; }
    public required string Algorithm { get; init; }

    /// <summary>PKCS#8 private key.</summary>
    public required byte[] PrivateKey { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> builder)
    {
        builder.ToTable("signing_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(64);
        builder.Property(k => k.Algorithm).HasMaxLength(16);
    }
}
