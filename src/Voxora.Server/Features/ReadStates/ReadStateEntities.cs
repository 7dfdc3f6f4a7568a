using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.ReadStates;

/// <summary>
/// How far a user has read a channel (seed 000 §P2-10). Counts are not stored: unread and mention counts are counted
/// from the messages after <see cref="LastReadId"/> when asked, so edits and deletes are reflected without bookkeeping.
/// </summary>
public sealed class ReadStateEntity
{
    public required string UserId { get; init; }
    public required string ChannelId { get; init; }

    /// <summary>Snowflake of the newest message the user has read; it only ever grows.</summary>
    public long LastReadId { get; set; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class ReadStateConfiguration : IEntityTypeConfiguration<ReadStateEntity>
{
    public void Configure(EntityTypeBuilder<ReadStateEntity> builder)
    {
        builder.ToTable("read_states");
        builder.HasKey(r => new { r.UserId, r.ChannelId });
        builder.Property(r => r.UserId).HasMaxLength(40);
        builder.Property(r => r.ChannelId).HasMaxLength(40);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ChannelEntity>().WithMany().HasForeignKey(r => r.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
