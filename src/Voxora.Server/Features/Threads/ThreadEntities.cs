using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Threads;

/// <summary>
/// What makes a channel of type 5 a thread: the message it was started from, who started it, its archive state and
/// activity. The thread's name and community are on its <see cref="ChannelEntity"/> row (same id), which its messages
/// belong to like any channel's.
/// </summary>
public sealed class ThreadEntity
{
    /// <summary>The thread's channel id.</summary>
    public required string Id { get; init; }

    public ChannelEntity? Channel { get; init; }
    public required string CommunityId { get; init; }

    /// <summary>The text channel the thread was started in.</summary>
    public required string ParentChannelId { get; init; }

    /// <summary>The message the thread was started from (unique: one thread per message).</summary>
    public required long ParentMessageId { get; init; }

    public required string OwnerId { get; init; }
    public bool Archived { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    public int AutoArchiveSeconds { get; set; } = ThreadRules.DefaultAutoArchiveSeconds;
    public int MessageCount { get; set; }
    public DateTimeOffset? LastMessageAt { get; set; }

    /// <summary>Creation, the last message or the last unarchiving: inactivity counts from here.</summary>
    public required DateTimeOffset LastActivityAt { get; set; }

    /// <summary>
    /// <see cref="LastActivityAt"/> plus <see cref="AutoArchiveSeconds"/>, kept in step with both so the sweeper finds
    /// due threads with one indexed comparison on either provider (no date arithmetic in SQL).
    /// </summary>
    public required DateTimeOffset ArchiveDueAt { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }
}

public sealed class ThreadMemberEntity
{
    public required string ThreadId { get; init; }
    public required string UserId { get; init; }
    public required DateTimeOffset JoinedAt { get; init; }
}

internal sealed class ThreadConfiguration : IEntityTypeConfiguration<ThreadEntity>
{
    public void Configure(EntityTypeBuilder<ThreadEntity> builder)
    {
        builder.ToTable("threads");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(40);
        builder.Property(t => t.CommunityId).HasMaxLength(40);
        builder.Property(t => t.ParentChannelId).HasMaxLength(40);
        builder.Property(t => t.OwnerId).HasMaxLength(40);
        builder.HasOne(t => t.Channel).WithMany().HasForeignKey(t => t.Id).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ChannelEntity>().WithMany().HasForeignKey(t => t.ParentChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => t.ParentMessageId).IsUnique();
        builder.HasIndex(t => new { t.ParentChannelId, t.Archived, t.LastActivityAt });
        builder.HasIndex(t => new { t.Archived, t.ArchiveDueAt });
    }
}

internal sealed class ThreadMemberConfiguration : IEntityTypeConfiguration<ThreadMemberEntity>
{
    public void Configure(EntityTypeBuilder<ThreadMemberEntity> builder)
    {
        builder.ToTable("thread_members");
        builder.HasKey(m => new { m.ThreadId, m.UserId });
        builder.Property(m => m.ThreadId).HasMaxLength(40);
        builder.Property(m => m.UserId).HasMaxLength(40);
        builder.HasOne<ThreadEntity>().WithMany().HasForeignKey(m => m.ThreadId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
