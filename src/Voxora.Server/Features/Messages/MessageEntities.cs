using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Messages;

public sealed class MessageEntity
{
    /// <summary>Snowflake: creation time in the high bits, so ordering by id is ordering by time.</summary>
    public required long Id { get; init; }

    public required string ChannelId { get; init; }

    /// <summary>Null in a direct message channel.</summary>
    public required string? CommunityId { get; init; }
    public required string AuthorId { get; init; }
    public UserAccount? Author { get; init; }
    public required string Content { get; set; }
    public long? ReplyToId { get; init; }

    /// <summary>Mentioned user ids, space separated, parsed from the content when it was written.</summary>
    public string? MentionIds { get; set; }

    /// <summary>Mentioned role ids of this community, space separated; null for none.</summary>
    public string? MentionRoleIds { get; set; }

    /// <summary>The content says @everyone or @here and its author held MENTION_EVERYONE in the channel.</summary>
    public bool MentionEveryone { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EditedAt { get; set; }

    /// <summary>One of <c>MessageTypes</c>: 0 for what people write, others for system lines the server writes.</summary>
    public int Type { get; init; }

    /// <summary>Link previews as JSON (<c>LinkPreviews.StoredEmbeds</c>), written by the link preview service; null for none.</summary>
    public string? Embeds { get; set; }

    /// <summary>The author (or a moderator) removed the previews: none are fetched again, not even after an edit.</summary>
    public bool EmbedsSuppressed { get; set; }
}

public sealed class ReactionEntity
{
    public required long MessageId { get; init; }
    public required string Emoji { get; init; }
    public required string UserId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<MessageEntity>
{
    public void Configure(EntityTypeBuilder<MessageEntity> builder)
    {
        builder.ToTable("messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.ChannelId).HasMaxLength(40);
        builder.Property(m => m.CommunityId).HasMaxLength(40);
        builder.Property(m => m.AuthorId).HasMaxLength(40);
        builder.Property(m => m.Content).HasMaxLength(4000);
        builder.Property(m => m.MentionIds).HasMaxLength(2000);
        builder.Property(m => m.MentionRoleIds).HasMaxLength(1000);
        builder.HasOne<ChannelEntity>().WithMany().HasForeignKey(m => m.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.Author).WithMany().HasForeignKey(m => m.AuthorId).OnDelete(DeleteBehavior.Restrict);

        // History pages walk one channel by id: this index answers before/after/around directly.
        builder.HasIndex(m => new { m.ChannelId, m.Id });
    }
}

internal sealed class ReactionConfiguration : IEntityTypeConfiguration<ReactionEntity>
{
    public void Configure(EntityTypeBuilder<ReactionEntity> builder)
    {
        builder.ToTable("reactions");
        builder.HasKey(r => new { r.MessageId, r.Emoji, r.UserId });
        builder.Property(r => r.Emoji).HasMaxLength(64);
        builder.Property(r => r.UserId).HasMaxLength(40);
        builder.HasOne<MessageEntity>().WithMany().HasForeignKey(r => r.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
