using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// Who is in which voice channel (seed 000's <c>voice_sessions</c>). The node that holds the member's gateway
/// connection writes it and is the source of truth while it runs; the row lets operators (and other nodes, later)
/// see voice occupancy, and a node clears its own rows when it starts because its media sessions died with it.
/// </summary>
public sealed class VoiceSessionEntity
{
    /// <summary>The voice session id (<c>vs_…</c>) handed to the client in op 5.</summary>
    public required string Id { get; init; }
    public required string CommunityId { get; init; }
    public required string ChannelId { get; init; }

    /// <summary>One voice connection per user across the server: unique.</summary>
    public required string UserId { get; init; }

    /// <summary>The gateway session that owns the voice connection.</summary>
    public required string SessionId { get; init; }
    public required int NodeId { get; init; }
    public bool SelfMute { get; set; }
    public bool SelfDeaf { get; set; }
    public bool ServerMute { get; set; }
    public bool ServerDeaf { get; set; }
    public required DateTimeOffset ConnectedAt { get; init; }
}

internal sealed class VoiceSessionConfiguration : IEntityTypeConfiguration<VoiceSessionEntity>
{
    public void Configure(EntityTypeBuilder<VoiceSessionEntity> builder)
    {
        builder.ToTable("voice_sessions");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Id).HasMaxLength(40);
        builder.Property(v => v.CommunityId).HasMaxLength(40);
        builder.Property(v => v.ChannelId).HasMaxLength(40);
        builder.Property(v => v.UserId).HasMaxLength(40);
        builder.Property(v => v.SessionId).HasMaxLength(40);
        builder.HasOne<ChannelEntity>().WithMany().HasForeignKey(v => v.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UserAccount>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(v => v.ChannelId);
        builder.HasIndex(v => v.UserId).IsUnique();
        builder.HasIndex(v => v.NodeId);
    }
}
