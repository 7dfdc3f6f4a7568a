using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Users;
using Voxora.Server.Features.Avatars;

namespace Voxora.Server.Features.Communities;

public sealed class CommunityEntity
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string OwnerId { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The content hash of the current icon (its file is <c>icons/{id}/{hash}.webp</c>); null without one.</summary>
    public string? IconHash { get; set; }

    /// <summary>Messages older than this many days are deleted by the retention sweeper (seed 004 AUDIT-06); null keeps them forever.</summary>
    public int? MessageRetentionDays { get; set; }

    /// <summary>When a retention sweep last claimed this community (a conditional update, so one node sweeps it per period).</summary>
    public DateTimeOffset? RetentionSweptAt { get; set; }

    public Protocol.Community ToProtocol(int? memberCount = null, IReadOnlyList<Protocol.Channel>? channels = null) =>
        new(Id, Name, Description, OwnerId, CreatedAt, memberCount, channels, AvatarLinks.CommunityIconUrl(Id, IconHash), MessageRetentionDays);
}

public sealed class MemberEntity
{
    public required string CommunityId { get; init; }
    public required string UserId { get; init; }
    public UserAccount? User { get; init; }
    public required DateTimeOffset JoinedAt { get; init; }

    /// <summary>While in the future the member is timed out: they keep only view and history.</summary>
    public DateTimeOffset? TimeoutUntil { get; set; }

    /// <summary>Server mute by a moderator (VOICE_MUTE_OTHERS): kept across voice joins until lifted.</summary>
    public bool VoiceMute { get; set; }

    /// <summary>Server deafen by a moderator (VOICE_DEAFEN_OTHERS): kept across voice joins until lifted.</summary>
    public bool VoiceDeaf { get; set; }
}

/// <summary>A role given to a member. <c>@everyone</c> is implicit and never stored here.</summary>
public sealed class MemberRoleEntity
{
    public required string CommunityId { get; init; }
    public required string UserId { get; init; }
    public required string RoleId { get; init; }
}

/// <summary>A role. <c>@everyone</c> is created with the community (position 0) and cannot be deleted.</summary>
public sealed class RoleEntity
{
    public const string EveryoneName = "@everyone";

    public required string Id { get; init; }
    public required string CommunityId { get; init; }
    public required string Name { get; set; }
    public long Permissions { get; set; }
    public int Position { get; set; }
    public bool IsEveryone { get; init; }
    public int? Color { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }

    public Protocol.Role ToProtocol() => new(Id, CommunityId, Name, Permissions, Position, IsEveryone, Color, CreatedAt);
}

internal sealed class CommunityConfiguration : IEntityTypeConfiguration<CommunityEntity>
{
    public void Configure(EntityTypeBuilder<CommunityEntity> builder)
    {
        builder.ToTable("communities");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasMaxLength(40);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.Description).HasMaxLength(1000);
        builder.Property(c => c.OwnerId).HasMaxLength(40);
        builder.Property(c => c.IconHash).HasMaxLength(AvatarLinks.HashLength);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(c => c.OwnerId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class MemberConfiguration : IEntityTypeConfiguration<MemberEntity>
{
    public void Configure(EntityTypeBuilder<MemberEntity> builder)
    {
        builder.ToTable("community_members");
        builder.HasKey(m => new { m.CommunityId, m.UserId });
        builder.Property(m => m.CommunityId).HasMaxLength(40);
        builder.Property(m => m.UserId).HasMaxLength(40);
        builder.HasOne<CommunityEntity>().WithMany().HasForeignKey(m => m.CommunityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => m.UserId);
    }
}

internal sealed class RoleConfiguration : IEntityTypeConfiguration<RoleEntity>
{
    public void Configure(EntityTypeBuilder<RoleEntity> builder)
    {
        builder.ToTable("roles");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(40);
        builder.Property(r => r.CommunityId).HasMaxLength(40);
        builder.Property(r => r.Name).HasMaxLength(100);
        builder.HasOne<CommunityEntity>().WithMany().HasForeignKey(r => r.CommunityId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.CommunityId);
    }
}

internal sealed class MemberRoleConfiguration : IEntityTypeConfiguration<MemberRoleEntity>
{
    public void Configure(EntityTypeBuilder<MemberRoleEntity> builder)
    {
        builder.ToTable("member_roles");
        builder.HasKey(m => new { m.CommunityId, m.UserId, m.RoleId });
        builder.Property(m => m.CommunityId).HasMaxLength(40);
        builder.Property(m => m.UserId).HasMaxLength(40);
        builder.Property(m => m.RoleId).HasMaxLength(40);

        // Leaving, kicks and bans drop the member row and with it their roles; deleting a role drops its grants.
        builder.HasOne<MemberEntity>().WithMany().HasForeignKey(m => new { m.CommunityId, m.UserId }).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<RoleEntity>().WithMany().HasForeignKey(m => m.RoleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(m => m.RoleId);
    }
}
