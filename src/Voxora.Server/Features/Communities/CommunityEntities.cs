using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Communities;

public sealed class CommunityEntity
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string OwnerId { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }

    public Protocol.Community ToProtocol(int? memberCount = null, IReadOnlyList<Protocol.Channel>? channels = null) =>
        new(Id, Name, Description, OwnerId, CreatedAt, memberCount, channels);
}

public sealed class MemberEntity
{
    public required string CommunityId { get; init; }
    public required string UserId { get; init; }
    public UserAccount? User { get; init; }
    public required DateTimeOffset JoinedAt { get; init; }
}

/// <summary>A role. Only <c>@everyone</c> exists until the permissions work lands; it is created with the community.</summary>
public sealed class RoleEntity
{
    public const string EveryoneName = "@everyone";

    public required string Id { get; init; }
    public required string CommunityId { get; init; }
    public required string Name { get; set; }
    public long Permissions { get; set; }
    public int Position { get; set; }
    public bool IsEveryone { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
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
