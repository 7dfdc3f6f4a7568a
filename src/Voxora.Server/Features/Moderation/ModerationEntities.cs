using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Moderation;

/// <summary>A community ban: the user cannot be (or become) a member until unbanned.</summary>
public sealed class BanEntity
{
    public required string CommunityId { get; init; }
    public required string UserId { get; init; }
    public UserAccount? User { get; init; }
    public string? Reason { get; init; }
    public string? ActorId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A member's report of a message, with the message as it was when reported.</summary>
public sealed class ReportEntity
{
    public required string Id { get; init; }
    public required string CommunityId { get; init; }
    public required string ChannelId { get; init; }
    public required long MessageId { get; init; }
    public required string MessageAuthorId { get; init; }
    public required string MessageContent { get; init; }
    public required string ReporterId { get; init; }
    public required string Reason { get; init; }
    public required string Status { get; set; }
    public string? ResolverId { get; set; }
    public string? Note { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; set; }

    public Protocol.Report ToProtocol() => new(Id, CommunityId, ChannelId, Infrastructure.Snowflake.Format(MessageId), MessageAuthorId,
        MessageContent, ReporterId, Reason, Status, ResolverId, Note, CreatedAt, ResolvedAt);
}

internal sealed class BanConfiguration : IEntityTypeConfiguration<BanEntity>
{
    public void Configure(EntityTypeBuilder<BanEntity> builder)
    {
        builder.ToTable("community_bans");
        builder.HasKey(b => new { b.CommunityId, b.UserId });
        builder.Property(b => b.CommunityId).HasMaxLength(40);
        builder.Property(b => b.UserId).HasMaxLength(40);
        builder.Property(b => b.ActorId).HasMaxLength(40);
        builder.Property(b => b.Reason).HasMaxLength(512);
        builder.HasOne<CommunityEntity>().WithMany().HasForeignKey(b => b.CommunityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(b => b.User).WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ReportConfiguration : IEntityTypeConfiguration<ReportEntity>
{
    public void Configure(EntityTypeBuilder<ReportEntity> builder)
    {
        builder.ToTable("reports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(40);
        builder.Property(r => r.CommunityId).HasMaxLength(40);
        builder.Property(r => r.ChannelId).HasMaxLength(40);
        builder.Property(r => r.MessageAuthorId).HasMaxLength(40);
        builder.Property(r => r.MessageContent).HasMaxLength(4000);
        builder.Property(r => r.ReporterId).HasMaxLength(40);
        builder.Property(r => r.Reason).HasMaxLength(1000);
        builder.Property(r => r.Status).HasMaxLength(16);
        builder.Property(r => r.ResolverId).HasMaxLength(40);
        builder.Property(r => r.Note).HasMaxLength(1000);

        // No FK to the message: a report outlives the message it is about (it keeps a copy of the content).
        builder.HasOne<CommunityEntity>().WithMany().HasForeignKey(r => r.CommunityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(r => r.ReporterId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.CommunityId, r.Status });
        builder.HasIndex(r => new { r.MessageId, r.ReporterId }).IsUnique();
        builder.HasIndex(r => r.ReporterId);
    }
}
