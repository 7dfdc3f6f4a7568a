using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Voxora.Server.Features.Avatars;

namespace Voxora.Server.Features.Users;

public sealed class UserAccount
{
    public required string Id { get; init; }
    public required string Username { get; set; }

    /// <summary>Lower-case username; the unique index that makes names case-insensitive.</summary>
    public required string UsernameNormalized { get; set; }

    public string? DisplayName { get; set; }
    public string? Email { get; set; }
    public required string PasswordHash { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The content hash of the current avatar (its file is <c>avatars/{id}/{hash}.webp</c>); null without one.</summary>
    public string? AvatarHash { get; set; }

    /// <summary>True once a TOTP enrolment was confirmed: login then needs a second factor (<c>Features/TwoFactor</c>).</summary>
    public bool MfaEnabled { get; set; }

    public Protocol.User ToPublic() => new(Id, Username, DisplayName, CreatedAt, null, AvatarLinks.UserAvatarUrl(Id, AvatarHash));

    public Protocol.User ToSelf() => new(Id, Username, DisplayName, CreatedAt, Email, AvatarLinks.UserAvatarUrl(Id, AvatarHash), MfaEnabled);

    public Protocol.UserSummary ToSummary() => new(Id, Username, DisplayName, AvatarLinks.UserAvatarUrl(Id, AvatarHash));
}

internal sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> builder)
    {
        builder.ToTable("users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).HasMaxLength(40);
        builder.Property(u => u.Username).HasMaxLength(32);
        builder.Property(u => u.UsernameNormalized).HasMaxLength(32);
        builder.HasIndex(u => u.UsernameNormalized).IsUnique();
        builder.Property(u => u.DisplayName).HasMaxLength(64);
        builder.Property(u => u.Email).HasMaxLength(254);
        builder.Property(u => u.PasswordHash).HasMaxLength(256);
        builder.Property(u => u.AvatarHash).HasMaxLength(AvatarLinks.HashLength);
    }
}
