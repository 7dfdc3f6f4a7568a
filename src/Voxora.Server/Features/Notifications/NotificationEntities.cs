using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Notifications;

/// <summary>
/// A member's notification settings in one community. Only rows that differ from the defaults exist (no row:
/// mentions only, not muted, <c>@everyone</c> counts); the row goes with the membership (leave, kick, ban).
/// </summary>
public sealed class CommunityNotificationSettingEntity
{
    public required string UserId { get; init; }
    public required string CommunityId { get; init; }

    /// <summary><see cref="Protocol.NotificationLevels"/>: all, mentions or nothing.</summary>
    public required string Level { get; set; }

    public DateTimeOffset? MutedUntil { get; set; }
    public bool SuppressEveryone { get; set; }
}

/// <summary>A member's notification settings in one channel; <see cref="Level"/> null follows the community's.</summary>
public sealed class ChannelNotificationSettingEntity
{
    public required string UserId { get; init; }
    public required string ChannelId { get; init; }
    public required string CommunityId { get; init; }
    public string? Level { get; set; }
    public DateTimeOffset? MutedUntil { get; set; }
}

/// <summary>User-wide notification preferences (no row: the defaults).</summary>
public sealed class NotificationPreferenceEntity
{
    public required string UserId { get; init; }

    /// <summary>Message text in pushes from channels that not every member of the community can view.</summary>
    public bool ShowPreviews { get; set; }
}

/// <summary>
/// A browser's Web Push subscription (RFC 8030 endpoint, RFC 8291 keys). The endpoint is the push service's
/// capability URL for that browser, so it is unique: subscribing the same browser again replaces the row. It belongs to
/// the login session that subscribed (the latest one, for a browser that subscribed again) and goes when that session
/// ends (<see cref="PushSessionCleanup"/>).
/// </summary>
public sealed class PushSubscriptionEntity
{
    public required string Id { get; init; }
    public required string UserId { get; set; }

    /// <summary>The login session that subscribed; null only for rows from before subscriptions had one (kept until that browser subscribes again).</summary>
    public string? SessionId { get; set; }
    public required string Endpoint { get; init; }

    /// <summary>The browser's P-256 public key, uncompressed point, base64url (65 bytes decoded).</summary>
    public required string P256dh { get; set; }

    /// <summary>The 16-byte authentication secret, base64url.</summary>
    public required string Auth { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public Protocol.PushSubscription ToProtocol() => new(Id, Endpoint, CreatedAt);
}

/// <summary>
/// The server's VAPID key pair (RFC 8292). Kept in the database like the access-token signing keys, so every node
/// of a cluster signs pushes with the same key, the one browsers subscribed with; database backups hold it too.
/// </summary>
public sealed class VapidKeyEntity
{
    /// <summary>Always <see cref="VapidKeys.RowId"/>: one key pair per deployment, and two nodes racing to create it insert one row.</summary>
    public required string Id { get; init; }

    /// <summary>PKCS#8 private key (P-256).</summary>
    public required byte[] PrivateKey { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}

internal sealed class CommunityNotificationSettingConfiguration : IEntityTypeConfiguration<CommunityNotificationSettingEntity>
{
    public void Configure(EntityTypeBuilder<CommunityNotificationSettingEntity> builder)
    {
        builder.ToTable("community_notification_settings");
        builder.HasKey(s => new { s.UserId, s.CommunityId });
        builder.Property(s => s.UserId).HasMaxLength(40);
        builder.Property(s => s.CommunityId).HasMaxLength(40);
        builder.Property(s => s.Level).HasMaxLength(16);
        builder.HasOne<MemberEntity>().WithMany().HasForeignKey(s => new { s.CommunityId, s.UserId }).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.CommunityId);
    }
}

internal sealed class ChannelNotificationSettingConfiguration : IEntityTypeConfiguration<ChannelNotificationSettingEntity>
{
    public void Configure(EntityTypeBuilder<ChannelNotificationSettingEntity> builder)
    {
        builder.ToTable("channel_notification_settings");
        builder.HasKey(s => new { s.UserId, s.ChannelId });
        builder.Property(s => s.UserId).HasMaxLength(40);
        builder.Property(s => s.ChannelId).HasMaxLength(40);
        builder.Property(s => s.CommunityId).HasMaxLength(40);
        builder.Property(s => s.Level).HasMaxLength(16);
        builder.HasOne<ChannelEntity>().WithMany().HasForeignKey(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<MemberEntity>().WithMany().HasForeignKey(s => new { s.CommunityId, s.UserId }).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.ChannelId);
        builder.HasIndex(s => new { s.CommunityId, s.UserId });
    }
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreferenceEntity>
{
    public void Configure(EntityTypeBuilder<NotificationPreferenceEntity> builder)
    {
        builder.ToTable("notification_preferences");
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.UserId).HasMaxLength(40);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PushSubscriptionConfiguration : IEntityTypeConfiguration<PushSubscriptionEntity>
{
    public void Configure(EntityTypeBuilder<PushSubscriptionEntity> builder)
    {
        builder.ToTable("push_subscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(40);
        builder.Property(s => s.UserId).HasMaxLength(40);
        builder.Property(s => s.Endpoint).HasMaxLength(PushRules.MaxEndpointLength);
        builder.Property(s => s.P256dh).HasMaxLength(100);
        builder.Property(s => s.Auth).HasMaxLength(40);
        builder.Property(s => s.SessionId).HasMaxLength(40);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        // No foreign key to sessions: sessions are only ever marked revoked, never deleted (PushSessionCleanup deletes on
        // LoginSessionsEnded), and adding one to an existing SQLite table means rebuilding it outside a transaction.
        builder.HasIndex(s => s.Endpoint).IsUnique();
        builder.HasIndex(s => s.UserId);
        builder.HasIndex(s => s.SessionId);
    }
}

internal sealed class VapidKeyConfiguration : IEntityTypeConfiguration<VapidKeyEntity>
{
    public void Configure(EntityTypeBuilder<VapidKeyEntity> builder)
    {
        builder.ToTable("vapid_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(16);
    }
}
