using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Attachments;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Roles;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;
using Voxora.Server.Infrastructure.Storage;

namespace Voxora.Server.Features.Avatars;

/// <summary>
/// Avatars and community icons: the picture is the request body (PNG, JPEG, GIF or WebP, at most
/// <see cref="MediaOptions.MaxAvatarBytes"/>), checked against its declared type, cut to the centred square, scaled to
/// <see cref="AvatarLinks.Size"/> and stored as WebP without any metadata. Served publicly by content hash.
/// </summary>
public static class AvatarsEndpoints
{
    public static RouteGroupBuilder MapAvatarsEndpoints(this RouteGroupBuilder api)
    {
        var signedIn = api.MapGroup("").WithTags("Avatars").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        signedIn.MapPut("/users/@me/avatar", SetAvatar).WithSummary("Upload the caller's avatar (PNG, JPEG, GIF or WebP)");
        signedIn.MapDelete("/users/@me/avatar", RemoveAvatar).WithSummary("Remove the caller's avatar");
        signedIn.MapPut("/communities/{communityId}/icon", SetIcon).WithSummary("Upload a community's icon (MANAGE_COMMUNITY)").ProducesForbidden();
        signedIn.MapDelete("/communities/{communityId}/icon", RemoveIcon).WithSummary("Remove a community's icon (MANAGE_COMMUNITY)").ProducesForbidden();

        // No Bearer token: an <img src> cannot send one. The unguessable content hash in the path is the link.
        api.MapGet("/avatars/{userId}/{file}", ServeAvatar).WithSummary("A user's avatar image (no token)").WithTags("Avatars").AllowAnonymous();
        api.MapGet("/icons/{communityId}/{file}", ServeIcon).WithSummary("A community's icon image (no token)").WithTags("Avatars").AllowAnonymous();
        return api;
    }

    private static async Task<Results<Ok<User>, ProblemHttpResult>> SetAvatar(
        HttpContext http, VoxoraDbContext db, ServerOptions options, MediaOptions media, ImageProcessor images, IFileStorage storage,
        DomainEvents events, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        var picture = await ReceivePictureAsync(http, options, media, images, ct);
        if (picture.Problem is { } problem)
        {
            return problem;
        }

        var hash = AvatarLinks.Hash(picture.Webp);
        var previous = user.AvatarHash;
        await PutAsync(storage, AvatarLinks.UserAvatarKey(user.Id, hash), picture.Webp, ct);
        user.AvatarHash = hash;
        await db.SaveChangesAsync(ct);
        if (previous is not null && previous != hash)
        {
            await storage.DeleteAsync(AvatarLinks.UserAvatarKey(user.Id, previous), CancellationToken.None);
        }

        await events.PublishAsync(new UserUpdated(user.ToSummary()));
        return TypedResults.Ok(user.ToSelf());
    }

    private static async Task<Results<Ok<User>, ProblemHttpResult>> RemoveAvatar(
        HttpContext http, VoxoraDbContext db, IFileStorage storage, DomainEvents events, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == http.User.UserId(), ct);
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (user.AvatarHash is { } previous)
        {
            user.AvatarHash = null;
            await db.SaveChangesAsync(ct);
            await storage.DeleteAsync(AvatarLinks.UserAvatarKey(user.Id, previous), CancellationToken.None);
            await events.PublishAsync(new UserUpdated(user.ToSummary()));
        }

        return TypedResults.Ok(user.ToSelf());
    }

    private static async Task<Results<Ok<Community>, ProblemHttpResult>> SetIcon(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, ServerOptions options, MediaOptions media,
        ImageProcessor images, IFileStorage storage, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var (community, refused) = await ManagedCommunityAsync(communityId, userId, access, ct);
        if (refused is not null)
        {
            return refused;
        }

        var picture = await ReceivePictureAsync(http, options, media, images, ct);
        if (picture.Problem is { } problem)
        {
            return problem;
        }

        var hash = AvatarLinks.Hash(picture.Webp);
        var before = community!.ToProtocol();
        var previous = community.IconHash;
        await PutAsync(storage, AvatarLinks.CommunityIconKey(community.Id, hash), picture.Webp, ct);
        db.Communities.Attach(community);
        community.IconHash = hash;
        await db.SaveChangesAsync(ct);
        if (previous is not null && previous != hash)
        {
            await storage.DeleteAsync(AvatarLinks.CommunityIconKey(community.Id, previous), CancellationToken.None);
        }

        await events.PublishAsync(new CommunityUpdated(community.ToProtocol(), before, userId));
        return TypedResults.Ok(await access.WholeAsync(community, userId, ct));
    }

    private static async Task<Results<Ok<Community>, ProblemHttpResult>> RemoveIcon(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, IFileStorage storage, DomainEvents events,
        CancellationToken ct)
    {
        var userId = http.User.UserId();
        var (community, refused) = await ManagedCommunityAsync(communityId, userId, access, ct);
        if (refused is not null)
        {
            return refused;
        }

        if (community!.IconHash is { } previous)
        {
            var before = community.ToProtocol();
            db.Communities.Attach(community);
            community.IconHash = null;
            await db.SaveChangesAsync(ct);
            await storage.DeleteAsync(AvatarLinks.CommunityIconKey(community.Id, previous), CancellationToken.None);
            await events.PublishAsync(new CommunityUpdated(community.ToProtocol(), before, userId));
        }

        return TypedResults.Ok(await access.WholeAsync(community, userId, ct));
    }

    private static async Task<(CommunityEntity? Community, ProblemHttpResult? Refused)> ManagedCommunityAsync(
        string communityId, string userId, CommunityAccess access, CancellationToken ct)
    {
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return (null, Problems.NotFound("Community"));
        }

        return membership.Has(Permission.ManageCommunity) ? (membership.Community, null) : (null, RolesEndpoints.Missing("MANAGE_COMMUNITY"));
    }

    private sealed record Picture(byte[] Webp, ProblemHttpResult? Problem)
    {
        public static Picture Refused(ProblemHttpResult problem) => new([], problem);
    }

    /// <summary>Reads, checks and converts the request body; nothing is stored here.</summary>
    private static async Task<Picture> ReceivePictureAsync(HttpContext http, ServerOptions options, MediaOptions media, ImageProcessor images, CancellationToken ct)
    {
        var contentType = MediaRules.NormalizeContentType(http.Request.ContentType);
        if (!MediaRules.IsImage(contentType))
        {
            return Picture.Refused(Problems.Of(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Not a picture",
                "Send the picture as the request body with Content-Type image/png, image/jpeg, image/gif or image/webp."));
        }

        if (http.Request.ContentLength is > 0 and var announced && announced > media.MaxAvatarBytes)
        {
            return Picture.Refused(TooLarge(media));
        }

        // The JSON endpoints keep their 1 MiB cap; a picture may be larger (one byte more is read to tell "too long").
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = media.MaxAvatarBytes + 1;
        }

        var folder = AttachmentsEndpoints.StagingFolder(options);
        Directory.CreateDirectory(folder);
        var staging = Path.Combine(folder, "avatar." + Guid.NewGuid().ToString("N"));
        try
        {
            var received = await ReceiveAsync(http.Request.Body, staging, media.MaxAvatarBytes, ct);
            if (received > media.MaxAvatarBytes)
            {
                return Picture.Refused(TooLarge(media));
            }

            if (received == 0)
            {
                return Picture.Refused(Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.MalformedRequest, "Empty picture", "The request body is empty."));
            }

            var head = new byte[MediaRules.SniffBytes];
            int headLength;
            await using (var file = File.OpenRead(staging))
            {
                headLength = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            }

            byte[]? webp = null;
            if (MediaRules.Sniff(contentType, head.AsSpan(0, headLength)))
            {
                try
                {
                    webp = await images.SquareAsync(staging, AvatarLinks.Size, ct);
                }
                catch (ImageTooLargeException)
                {
                    return Picture.Refused(Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.FileTooLarge, "Image too large",
                        $"Pictures can have at most {media.MaxImagePixels} pixels."));
                }
            }

            return webp is null
                ? Picture.Refused(Problems.Of(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.FileContentMismatch, "Content does not match its type",
                    $"The body is not a valid {contentType}. Nothing was stored."))
                : new Picture(webp, null);
        }
        finally
        {
            File.Delete(staging);
        }
    }

    private static ProblemHttpResult TooLarge(MediaOptions media) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.FileTooLarge, "Picture too large", $"Pictures can be at most {media.MaxAvatarBytes} bytes.");

    /// <summary>Reads the body into the staging file, stopping one byte past <paramref name="max"/>.</summary>
    private static async Task<long> ReceiveAsync(Stream body, string path, long max, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81_920);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
            long total = 0;
            while (true)
            {
                var read = await body.ReadAsync(buffer.AsMemory(0, buffer.Length), ct);
                if (read == 0)
                {
                    return total;
                }

                total += read;
                if (total > max)
                {
                    return total;
                }

                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task PutAsync(IFileStorage storage, string key, byte[] webp, CancellationToken ct)
    {
        using var content = new MemoryStream(webp, writable: false);
        await storage.PutAsync(key, content, webp.Length, "image/webp", ct);
    }

    private static async Task<IResult> ServeAvatar(string userId, string file, HttpContext http, VoxoraDbContext db, IFileStorage storage, CancellationToken ct)
    {
        var hash = HashOf(file);
        var current = hash is null ? null : await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.AvatarHash).SingleOrDefaultAsync(ct);
        return current is null || current != hash
            ? Problems.NotFound("Avatar")
            : await ServeAsync(http, storage, AvatarLinks.UserAvatarKey(userId, hash), hash, ct);
    }

    private static async Task<IResult> ServeIcon(string communityId, string file, HttpContext http, VoxoraDbContext db, IFileStorage storage, CancellationToken ct)
    {
        var hash = HashOf(file);
        var current = hash is null ? null : await db.Communities.AsNoTracking().Where(c => c.Id == communityId).Select(c => c.IconHash).SingleOrDefaultAsync(ct);
        return current is null || current != hash
            ? Problems.NotFound("Icon")
            : await ServeAsync(http, storage, AvatarLinks.CommunityIconKey(communityId, hash), hash, ct);
    }

    /// <summary>"{hash}.webp" → the hash; anything else → null (an unknown file).</summary>
    private static string? HashOf(string file) =>
        file.EndsWith(".webp", StringComparison.Ordinal) && file[..^5] is var hash && AvatarLinks.IsHash(hash) ? hash : null;

    /// <summary>Only the current picture is served: a replaced one is gone at once, whatever storage still holds.</summary>
    private static async Task<IResult> ServeAsync(HttpContext http, IFileStorage storage, string key, string hash, CancellationToken ct)
    {
        var etag = $"\"{hash}\"";
        var notModified = http.Request.Headers.IfNoneMatch == etag;
        var stream = notModified ? null : await storage.OpenReadAsync(key, 0, null, ct);
        if (!notModified && stream is null)
        {
            return Problems.NotFound("Picture");
        }

        var headers = http.Response.Headers;
        headers.CacheControl = "public, max-age=31536000, immutable";
        headers.ETag = etag;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = MediaRules.ContentSecurityPolicy;
        return stream is null ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Stream(stream, "image/webp");
    }
}
