using System.Security.Cryptography;

namespace Voxora.Server.Features.Avatars;

/// <summary>
/// Where avatars and community icons live. Each is one square WebP named by the hash of its bytes, so its URL never
/// changes meaning: clients and proxies may cache it forever, and a new picture is a new URL. The URLs are paths on the
/// pod (relative to its address), public like Discord's CDN links: an &lt;img&gt; carries no token, and the hash is not guessable.
/// </summary>
public static class AvatarLinks
{
    /// <summary>Hex characters of the SHA-256 of the file kept as its name (64 bits: unguessable, short).</summary>
    public const int HashLength = 16;

    /// <summary>The side of the stored square, in pixels: sharp at the largest size the client shows (80 CSS px at 3×).</summary>
    public const int Size = 256;

    public static string Hash(ReadOnlySpan<byte> file) => Convert.ToHexStringLower(SHA256.HashData(file))[..HashLength];

    public static bool IsHash(string? value) =>
        value is { Length: HashLength } && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public static string? UserAvatarUrl(string userId, string? hash) => hash is null ? null : $"/api/v1/avatars/{userId}/{hash}.webp";

    public static string? CommunityIconUrl(string communityId, string? hash) => hash is null ? null : $"/api/v1/icons/{communityId}/{hash}.webp";

    public static string UserAvatarKey(string userId, string hash) => $"avatars/{userId}/{hash}.webp";

    public static string CommunityIconKey(string communityId, string hash) => $"icons/{communityId}/{hash}.webp";
}

/// <summary>A deleted community's icon file goes with it (after its members were told).</summary>
public sealed class CommunityIconRemoval(Infrastructure.Storage.IFileStorage storage) : Infrastructure.Events.IDomainEventHandler<Communities.CommunityDeleted>
{
    public Task HandleAsync(Communities.CommunityDeleted deleted, CancellationToken ct) =>
        deleted.IconHash is { } hash ? storage.DeleteAsync(AvatarLinks.CommunityIconKey(deleted.CommunityId, hash), CancellationToken.None) : Task.CompletedTask;
}
