using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Pins;

/// <summary>A pinned message. Deleting the message deletes its pin (ON DELETE CASCADE).</summary>
public sealed class MessagePinEntity
{
    public required long MessageId { get; init; }

    /// <summary>The message's channel, kept here so counting and listing a channel's pins reads this table alone.</summary>
    public required string ChannelId { get; init; }

    public required string PinnedBy { get; init; }

    /// <summary>
    /// A Snowflake taken when the pin was made (the id of its "pinned a message" line): orders pins newest first even
    /// when two land in the same millisecond, which <see cref="PinnedAt"/> alone cannot.
    /// </summary>
    public required long PinOrder { get; init; }

    public required DateTimeOffset PinnedAt { get; init; }
}

internal sealed class MessagePinConfiguration : IEntityTypeConfiguration<MessagePinEntity>
{
    public void Configure(EntityTypeBuilder<MessagePinEntity> builder)
    {
        builder.ToTable("message_pins");
        builder.HasKey(p => p.MessageId);
        builder.Property(p => p.MessageId).ValueGeneratedNever();
        builder.Property(p => p.ChannelId).HasMaxLength(40);
        builder.Property(p => p.PinnedBy).HasMaxLength(40);
        builder.HasOne<MessageEntity>().WithOne().HasForeignKey<MessagePinEntity>(p => p.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(p => p.PinnedBy).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => new { p.ChannelId, p.PinOrder });
    }
}
