using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Voxora.Server.Features.Attachments;

/// <summary>Values of <see cref="AttachmentEntity.Status"/>.</summary>
public static class AttachmentStatus
{
    /// <summary>Announced (POST), waiting for its bytes.</summary>
    public const string Pending = "pending";

    /// <summary>A PUT is receiving its bytes right now (so a second PUT is refused).</summary>
    public const string Receiving = "receiving";

    /// <summary>Stored, not yet sent with a message.</summary>
    public const string Uploaded = "uploaded";

    /// <summary>Sent with the message <see cref="AttachmentEntity.MessageId"/>.</summary>
    public const string Attached = "attached";

    /// <summary>Its files are being deleted; the row goes after them (a sweep retries if a node stops half-way).</summary>
    public const string Deleting = "deleting";
}

/// <summary>
/// One uploaded file (seed 000 §P2-5's <c>attachments</c> table, plus who uploaded it where, its storage keys and its
/// state). There is deliberately no foreign key to messages, channels or users: a cascade would drop the row and forget
/// the stored files. Message deletes remove files through their domain events (<see cref="AttachmentCleanup"/>), and the
/// sweeper (<see cref="AttachmentSweeper"/>) removes what is left behind (uploads never sent, files of messages deleted with
/// their channel or community).
/// </summary>
public sealed class AttachmentEntity
{
    public required string Id { get; init; }
    public required string ChannelId { get; init; }
    public required string UploaderId { get; init; }
    public long? MessageId { get; set; }

    /// <summary>Its place among the message's attachments (0-based), as the sender listed them.</summary>
    public int Position { get; set; }

    public required string Filename { get; init; }
    public required string ContentType { get; init; }

    /// <summary>Declared at POST; the stored size once uploaded (images lose their metadata). Counts towards the quota.</summary>
    public required long SizeBytes { get; set; }

    public required string Status { get; set; }
    public required string StorageKey { get; init; }
    public string? ThumbnailKey { get; set; }
    public long? ThumbnailSizeBytes { get; set; }
    public int? Width { get; set; }
    public int? Height { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The upload URL works until then.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? UploadedAt { get; set; }
}

/// <summary>The key media URLs are signed with: one per deployment, in the database so every node of a cluster has it.</summary>
public sealed class MediaKeyEntity
{
    public required string Id { get; init; }
    public required byte[] Key { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

internal sealed class AttachmentConfiguration : IEntityTypeConfiguration<AttachmentEntity>
{
    public void Configure(EntityTypeBuilder<AttachmentEntity> builder)
    {
        builder.ToTable("attachments");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).HasMaxLength(40);
        builder.Property(a => a.ChannelId).HasMaxLength(40);
        builder.Property(a => a.UploaderId).HasMaxLength(40);
        builder.Property(a => a.Filename).HasMaxLength(MediaRules.FilenameMax);
        builder.Property(a => a.ContentType).HasMaxLength(MediaRules.ContentTypeMax);
        builder.Property(a => a.Status).HasMaxLength(16);
        builder.Property(a => a.StorageKey).HasMaxLength(200);
        builder.Property(a => a.ThumbnailKey).HasMaxLength(200);

        // A message's attachments; a user's (quota); the sweeper's walk by state and age.
        builder.HasIndex(a => a.MessageId);
        builder.HasIndex(a => a.UploaderId);
        builder.HasIndex(a => new { a.Status, a.CreatedAt });
    }
}

internal sealed class MediaKeyConfiguration : IEntityTypeConfiguration<MediaKeyEntity>
{
    public void Configure(EntityTypeBuilder<MediaKeyEntity> builder)
    {
        builder.ToTable("media_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(40);
    }
}
