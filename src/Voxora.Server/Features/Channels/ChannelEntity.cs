using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Communities;

namespace Voxora.Server.Features.Channels;

public sealed class ChannelEntity
{
    public required string Id { get; init; }
    public required string CommunityId { get; init; }
    public required string Name { get; set; }
    public required int Type { get; init; }
    public string? Topic { get; set; }
    public string? ParentId { get; set; }
    public int Position { get; set; }

    /// <summary>Voice channels: Opus bitrate in bits/s and member cap (0 = none).</summary>
    public int Bitrate { get; set; } = 64_000;

    public int UserLimit { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }

    public Protocol.Channel ToProtocol() => new(Id, CommunityId, Name, Type, Topic, ParentId, Position, CreatedAt);
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<ChannelEntity>
{
    public void Configure(EntityTypeBuilder<ChannelEntity> builder)
    {
        builder.ToTable("channels");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasMaxLength(40);
        builder.Property(c => c.CommunityId).HasMaxLength(40);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.Topic).HasMaxLength(1024);
        builder.Property(c => c.ParentId).HasMaxLength(40);
        builder.HasOne<CommunityEntity>().WithMany().HasForeignKey(c => c.CommunityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.CommunityId);
    }
}
