using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.DirectMessages;

/// <summary>
/// What a direct channel (a <c>channels</c> row without a community, type 2 or 3) has beyond a channel: a group's
/// owner, and for a one-to-one DM the pair of its two people, unique, so two requests at once cannot open two DMs.
/// </summary>
public sealed class DirectChannelEntity
{
    public required string ChannelId { get; init; }

    /// <summary>A group's owner (who may add and remove people); null for a one-to-one DM.</summary>
    public string? OwnerId { get; set; }

    /// <summary>One-to-one only: the two user ids in ordinal order joined by ':' (<see cref="DirectMessageRules.PairKey"/>).</summary>
    public string? PairKey { get; init; }
}

/// <summary>One person in a direct channel.</summary>
public sealed class DirectRecipientEntity
{
    public required string ChannelId { get; init; }
    public required string UserId { get; init; }

    /// <summary>Messages from before someone joined a group are never unread for them.</summary>
    public required DateTimeOffset JoinedAt { get; init; }
}

/// <summary><see cref="UserId"/> blocked <see cref="BlockedUserId"/>. Only the blocker can ever learn of it.</summary>
public sealed class UserBlockEntity
{
    public required string UserId { get; init; }
    public required string BlockedUserId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A user's direct message privacy settings; no row means the defaults.</summary>
public sealed class DirectMessageSettingsEntity
{
    public required string UserId { get; init; }
    public bool AllowDmsFromMembers { get; set; } = true;
}

internal sealed class DirectChannelConfiguration : IEntityTypeConfiguration<DirectChannelEntity>
{
    public void Configure(EntityTypeBuilder<DirectChannelEntity> builder)
    {
        builder.ToTable("direct_channels");
        builder.HasKey(d => d.ChannelId);
        builder.Property(d => d.ChannelId).HasMaxLength(40);
        builder.Property(d => d.OwnerId).HasMaxLength(40);
        builder.Property(d => d.PairKey).HasMaxLength(81);
        builder.HasIndex(d => d.PairKey).IsUnique();
        builder.HasOne<ChannelEntity>().WithOne().HasForeignKey<DirectChannelEntity>(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DirectRecipientConfiguration : IEntityTypeConfiguration<DirectRecipientEntity>
{
    public void Configure(EntityTypeBuilder<DirectRecipientEntity> builder)
    {
        builder.ToTable("direct_recipients");
        builder.HasKey(r => new { r.ChannelId, r.UserId });
        builder.Property(r => r.ChannelId).HasMaxLength(40);
        builder.Property(r => r.UserId).HasMaxLength(40);
        builder.HasIndex(r => r.UserId);
        builder.HasOne<ChannelEntity>().WithMany().HasForeignKey(r => r.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserBlockConfiguration : IEntityTypeConfiguration<UserBlockEntity>
{
    public void Configure(EntityTypeBuilder<UserBlockEntity> builder)
    {
        builder.ToTable("user_blocks");
        builder.HasKey(b => new { b.UserId, b.BlockedUserId });
        builder.Property(b => b.UserId).HasMaxLength(40);
        builder.Property(b => b.BlockedUserId).HasMaxLength(40);
        builder.HasIndex(b => b.BlockedUserId);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(b => b.BlockedUserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DirectMessageSettingsConfiguration : IEntityTypeConfiguration<DirectMessageSettingsEntity>
{
    public void Configure(EntityTypeBuilder<DirectMessageSettingsEntity> builder)
    {
        builder.ToTable("direct_message_settings");
        builder.HasKey(s => s.UserId);
        builder.Property(s => s.UserId).HasMaxLength(40);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
