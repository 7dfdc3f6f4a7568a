using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Communities;

namespace Voxora.Server.Features.Channels;

public sealed class ChannelEntity
{
    public required string Id { get; init; }

    /// <summary>Null for a direct message channel (types 2 and 3), which belongs to no community.</summary>
    public required string? CommunityId { get; init; }

    /// <summary>The community of a community channel; only for code that has already set direct channels aside.</summary>
    public string OwningCommunityId => CommunityId ?? throw new InvalidOperationException($"Channel {Id} is a direct channel, not a community channel.");
    public required string Name { get; set; }
    public required int Type { get; init; }
    public string? Topic { get; set; }
    public string? ParentId { get; set; }
    public int Position { get; set; }

    /// <summary>Voice channels: Opus bitrate in bits/s and member cap (0 = none).</summary>
    public int Bitrate { get; set; } = 64_000;

    public int UserLimit { get; set; }

    /// <summary>With a parent: the channel uses its category's overrides instead of its own.</summary>
    public bool PermissionsSynced { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>A detached copy of every field (the permission snapshot hands these out, one per request).</summary>
    public ChannelEntity Copy() => (ChannelEntity)MemberwiseClone();

    /// <summary>A community channel as sent on the wire (direct channels are <see cref="Protocol.DirectChannel"/>s).</summary>
    public Protocol.Channel ToProtocol()
    {
        var communityId = OwningCommunityId;
        return Type == Protocol.ChannelTypes.Voice
            ? new(Id, communityId, Name, Type, Topic, ParentId, Position, CreatedAt, PermissionsSynced, Bitrate, UserLimit)
            : new(Id, communityId, Name, Type, Topic, ParentId, Position, CreatedAt, PermissionsSynced);
    }
}

public static class OverrideTargets
{
    public const int Role = 0;
    public const int User = 1;

    public static string Name(int type) => type == User ? "user" : "role";

    public static int? Parse(string? name) => name switch
    {
        "role" => Role,
        "user" => User,
        _ => null,
    };
}

/// <summary>A channel permission override for one role or one user (seed 000 §P2-9).</summary>
public sealed class ChannelOverrideEntity
{
    public required string ChannelId { get; init; }
    public required string CommunityId { get; init; }
    public required int TargetType { get; init; }
    public required string TargetId { get; init; }
    public long Allow { get; set; }
    public long Deny { get; set; }

    public Protocol.ChannelOverride ToProtocol() => new(ChannelId, OverrideTargets.Name(TargetType), TargetId, Allow, Deny);
}

internal sealed class ChannelOverrideConfiguration : IEntityTypeConfiguration<ChannelOverrideEntity>
{
    public void Configure(EntityTypeBuilder<ChannelOverrideEntity> builder)
    {
        builder.ToTable("channel_overrides");
        builder.HasKey(o => new { o.ChannelId, o.TargetType, o.TargetId });
        builder.Property(o => o.ChannelId).HasMaxLength(40);
        builder.Property(o => o.CommunityId).HasMaxLength(40);
        builder.Property(o => o.TargetId).HasMaxLength(40);
        builder.HasOne<ChannelEntity>().WithMany().HasForeignKey(o => o.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(o => o.CommunityId);
    }
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<ChannelEntity>
{
    public void Configure(EntityTypeBuilder<ChannelEntity> builder)
    {
        builder.ToTable("channels");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasMaxLength(40);
        builder.Property(c => c.CommunityId).HasMaxLength(40);
        builder.Property(c => c.Name).HasMaxLength(100);
        builder.Property(c => c.Topic).HasMaxLength(1024);
        builder.Property(c => c.ParentId).HasMaxLength(40);
        builder.HasOne<CommunityEntity>().WithMany().HasForeignKey(c => c.CommunityId).IsRequired(false).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.CommunityId);
    }
}
