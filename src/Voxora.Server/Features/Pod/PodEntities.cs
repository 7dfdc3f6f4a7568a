using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Pod;

/// <summary>A pod-wide role (seed 000 §P2-9). The default role (<see cref="IsDefault"/>) applies to every user.</summary>
public sealed class PodRoleEntity
{
    public const string DefaultId = "prl_default";

    public required string Id { get; init; }
    public required string Name { get; set; }
    public long Permissions { get; set; }
    public int Position { get; set; }
    public bool IsDefault { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>An RGB value (0–16777215), or null for none.</summary>
    public int? Color { get; set; }

    public Protocol.PodRole ToProtocol() => new(Id, Name, Permissions, Position, IsDefault, CreatedAt, Color);
}

public sealed class PodMemberRoleEntity
{
    public required string UserId { get; init; }
    public required string RoleId { get; init; }
}

/// <summary>A pod ban: the user cannot sign in, refresh or connect.</summary>
public sealed class PodBanEntity
{
    public required string UserId { get; init; }
    public UserAccount? User { get; init; }
    public string? Reason { get; init; }
    public string? ActorId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

internal sealed class PodRoleConfiguration : IEntityTypeConfiguration<PodRoleEntity>
{
    public void Configure(EntityTypeBuilder<PodRoleEntity> builder)
    {
        builder.ToTable("pod_roles");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).HasMaxLength(40);
        builder.Property(r => r.Name).HasMaxLength(100);
    }
}

internal sealed class PodMemberRoleConfiguration : IEntityTypeConfiguration<PodMemberRoleEntity>
{
    public void Configure(EntityTypeBuilder<PodMemberRoleEntity> builder)
    {
        builder.ToTable("pod_member_roles");
        builder.HasKey(r => new { r.UserId, r.RoleId });
        builder.Property(r => r.UserId).HasMaxLength(40);
        builder.Property(r => r.RoleId).HasMaxLength(40);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<PodRoleEntity>().WithMany().HasForeignKey(r => r.RoleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.RoleId);
    }
}

internal sealed class PodBanConfiguration : IEntityTypeConfiguration<PodBanEntity>
{
    public void Configure(EntityTypeBuilder<PodBanEntity> builder)
    {
        builder.ToTable("pod_bans");
        builder.HasKey(b => b.UserId);
        builder.Property(b => b.UserId).HasMaxLength(40);
        builder.Property(b => b.ActorId).HasMaxLength(40);
        builder.Property(b => b.Reason).HasMaxLength(512);
        builder.HasOne(b => b.User).WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// The pod's own settings: one row (<see cref="SingletonId"/>), written by the setup wizard and by administrators. Until it
/// exists the pod is called <see cref="DefaultName"/> and registers as <c>VOXORA_POD__REGISTRATION</c> says.
/// </summary>
public sealed class PodSettingsEntity
{
    public const int SingletonId = 1;
    public const string DefaultName = "Voxora";
    public const int NameMax = 100;
    public const int DescriptionMax = 1000;

    public int Id { get; init; } = SingletonId;
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary><c>open</c>, <c>invite</c> or <c>closed</c> (<see cref="Protocol.RegistrationModes"/>).</summary>
    public required string RegistrationMode { get; set; }

    /// <summary>When the setup wizard finished; null on a pod set up without it (its first account registered through the API).</summary>
    public DateTimeOffset? SetupCompletedAt { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>The largest file one upload may be on this pod, in bytes; null: the server's maximum (<c>VOXORA_MEDIA__MAX_UPLOAD_BYTES</c>), which also caps it.</summary>
    public long? MaxUploadBytes { get; set; }

    public Protocol.PodSettings ToProtocol(long maxUploadBytesLimit) =>
        new(Name, Description, RegistrationMode, SetupCompletedAt, UpdatedAt, MaxUploadBytes, maxUploadBytesLimit);
}

internal sealed class PodSettingsConfiguration : IEntityTypeConfiguration<PodSettingsEntity>
{
    public void Configure(EntityTypeBuilder<PodSettingsEntity> builder)
    {
        builder.ToTable("pod_settings");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.Name).HasMaxLength(PodSettingsEntity.NameMax);
        builder.Property(s => s.Description).HasMaxLength(PodSettingsEntity.DescriptionMax);
        builder.Property(s => s.RegistrationMode).HasMaxLength(16);
    }
}
