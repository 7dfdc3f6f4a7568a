using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Voxora.Server.Features.Audit;

/// <summary>
/// One append-only audit log row. The database refuses UPDATE and DELETE on the table (triggers created
/// by the Permissions migration) and any INSERT colliding with an existing row (AuditLogAnchors migration:
/// SQLite's REPLACE would otherwise delete the old row without firing DELETE triggers). <see cref="Seq"/> numbers a community's entries 1, 2, 3 …; the unique
/// indexes on (community_id, seq) and (community_id, prev_hash) make a second writer (another node)
/// fail instead of forking the chain. There is deliberately no foreign key to communities: the log of a
/// deleted community stays. Pod-level entries use the scope <see cref="AuditLog.PodScope"/>.
/// </summary>
public sealed class AuditEntryEntity
{
    public required string Id { get; init; }
    public required string CommunityId { get; init; }
    public required long Seq { get; init; }
    public string? ActorId { get; init; }
    public required string Action { get; init; }
    public string? TargetType { get; init; }
    public string? TargetId { get; init; }

    /// <summary>JSON: <c>{"field": {"old": …, "new": …}}</c> or other action details.</summary>
    public string? Changes { get; init; }

    public string? Reason { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string PrevHash { get; init; }
    public required string Hash { get; init; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntryEntity>
{
    public void Configure(EntityTypeBuilder<AuditEntryEntity> builder)
    {
        builder.ToTable("audit_log");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).HasMaxLength(40);
        builder.Property(a => a.CommunityId).HasMaxLength(40);
        builder.Property(a => a.ActorId).HasMaxLength(40);
        builder.Property(a => a.Action).HasMaxLength(64);
        builder.Property(a => a.TargetType).HasMaxLength(32);
        builder.Property(a => a.TargetId).HasMaxLength(40);
        builder.Property(a => a.Changes).HasMaxLength(8000);
        builder.Property(a => a.Reason).HasMaxLength(512);
        builder.Property(a => a.PrevHash).HasMaxLength(64);
        builder.Property(a => a.Hash).HasMaxLength(64);
        builder.HasIndex(a => new { a.CommunityId, a.Seq }).IsUnique();
        builder.HasIndex(a => new { a.CommunityId, a.PrevHash }).IsUnique();
    }
}
