using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Voxora.Server.Features.Audit;

/// <summary>
/// Where a chain's legacy part ends. Entries written before the log was keyed carry plain SHA-256 hashes; when
/// the keyed log starts (the first start with this version, once per database) each existing chain gets a seal
/// naming its last legacy entry, MACed with the audit key. Entries up to the seal verify by plain SHA-256, every
/// later entry by its MAC; a chain without a valid seal has no legacy part. The row with scope
/// <see cref="MarkerScope"/> records that sealing happened, so it never happens again. Append-only like the log.
/// </summary>
public sealed class AuditSealEntity
{
    /// <summary>The scope of the row that says "this database has been sealed".</summary>
    public const string MarkerScope = "*";

    public required string CommunityId { get; init; }
    public required long LastSeq { get; init; }
    public required string LastHash { get; init; }
    public required string Mac { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

internal sealed class AuditSealConfiguration : IEntityTypeConfiguration<AuditSealEntity>
{
    public void Configure(EntityTypeBuilder<AuditSealEntity> builder)
    {
        builder.ToTable("audit_log_seals");
        builder.HasKey(s => s.CommunityId);
        builder.Property(s => s.CommunityId).HasMaxLength(40);
        builder.Property(s => s.LastHash).HasMaxLength(64);
        builder.Property(s => s.Mac).HasMaxLength(64);
    }
}
