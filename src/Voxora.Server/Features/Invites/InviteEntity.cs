using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Communities;

namespace Voxora.Server.Features.Invites;

public sealed class InviteEntity
{
    public required string Code { get; init; }
    public required string CommunityId { get; init; }
    public string? InviterId { get; init; }

    /// <summary>0 means unlimited.</summary>
    public int MaxUses { get; init; }

    public int Uses { get; set; }

    /// <summary>0 means the invite never expires.</summary>
    public int MaxAgeSeconds { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }

    public Protocol.Invite ToProtocol() => new(Code, CommunityId, InviterId, MaxUses, Uses, MaxAgeSeconds, ExpiresAt, CreatedAt);
}

internal sealed class InviteConfiguration : IEntityTypeConfiguration<InviteEntity>
{
    public void Configure(EntityTypeBuilder<InviteEntity> builder)
    {
        builder.ToTable("invites");
        builder.HasKey(i => i.Code);
        builder.Property(i => i.Code).HasMaxLength(16);
        builder.Property(i => i.CommunityId).HasMaxLength(40);
        builder.Property(i => i.InviterId).HasMaxLength(40);
        builder.HasOne<CommunityEntity>().WithMany().HasForeignKey(i => i.CommunityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(i => i.CommunityId);
    }
}
