using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Auth;

/// <summary>One login on one device: the family of refresh tokens that descend from it.</summary>
public sealed class LoginSession
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public UserAccount? User { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset LastUsedAt { get; set; }
    public required DateTimeOffset ExpiresAt { get; set; }
    public string? UserAgent { get; set; }
    public string? Ip { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>A refresh token, stored only as its SHA-256. Each works once; a second use revokes its session.</summary>
public sealed class RefreshToken
{
    public required string TokenHash { get; init; }
    public required string SessionId { get; init; }
    public LoginSession? Session { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class LoginSessionConfiguration : IEntityTypeConfiguration<LoginSession>
{
    public void Configure(EntityTypeBuilder<LoginSession> builder)
    {
        builder.ToTable("sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(40);
        builder.Property(s => s.UserId).HasMaxLength(40);
        builder.Property(s => s.UserAgent).HasMaxLength(512);
        builder.Property(s => s.Ip).HasMaxLength(64);
        builder.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.UserId, s.RevokedAt });
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        builder.ToTable("refresh_tokens");
        builder.HasKey(t => t.TokenHash);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.Property(t => t.SessionId).HasMaxLength(40);
        builder.HasOne(t => t.Session).WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => t.SessionId);
    }
}
