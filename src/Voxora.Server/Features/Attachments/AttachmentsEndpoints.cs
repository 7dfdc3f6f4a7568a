using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.DirectMessages;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.OpenApi;
using Voxora.Server.Infrastructure.Storage;

namespace Voxora.Server.Features.Attachments;

/// <summary>
/// Uploads (seed 000 §P2-5): announce a file in a channel (SEND_ATTACHMENTS), PUT its bytes once before the upload URL
/// expires, then send a message naming it. Files are served through signed, expiring links (<see cref="MediaLinks"/>).
/// </summary>
public static class AttachmentsEndpoints
{
    public const string IdPrefix = "att";

    public static void AddAttachments(IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(options.Media);
        services.AddSingleton(options.Storage);
        services.AddSingleton<IFileStorage>(_ => options.Storage.IsS3
            ? new S3FileStorage(options.Storage.S3)
            : new DiskFileStorage(options.Storage.DiskPath is { Length: > 0 } path ? path : Path.Combine(options.DataDir, "attachments")));
        services.AddSingleton<MediaLinks>();
        services.AddSingleton<ImageProcessor>();
        services.AddSingleton<AttachmentRemoval>();
        services.AddSingleton<AttachmentSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<AttachmentSweeper>());
    }

    public static RouteGroupBuilder MapAttachmentsEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/channels/{channelId}/attachments", Create).WithSummary("Reserve an upload slot for a file to attach to a message (ATTACH_FILES)").ProducesForbidden().WithTags("Attachments").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        api.MapPut("/media/upload/{attachmentId}", Upload).WithSummary("Upload the bytes of a reserved attachment").ProducesForbidden()
            // Up to 25 MiB from a phone can take longer than a REST request; Kestrel's minimum data rate bounds it instead.
            .DisableRequestTimeout()
            .WithTags("Attachments").RequireAuthorization().RequireRateLimiting(RateLimits.User);

        // No Bearer token: an <img src> cannot send one. The signature in the link is the permission.
        api.MapGet("/media/{attachmentId}/{filename}", Serve).WithSummary("Download an attachment (signed URL, no token)").DisableRequestTimeout().WithTags("Attachments").AllowAnonymous();
        return api;
    }

    internal static string StagingFolder(ServerOptions options) => Path.Combine(options.DataDir, "tmp", "uploads");

    private static async Task<Results<Created<AttachmentUpload>, ValidationProblem, ProblemHttpResult>> Create(
        string channelId, CreateAttachmentRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        MediaOptions media, MediaLinks links, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!ChannelTypes.HoldsMessages(found.Channel.Type))
        {
            return MessagesEndpoints.NotText();
        }

        if (MessagesEndpoints.MissingSend(found) is { } missing)
        {
            return found.IsDirect ? DirectMessagesEndpoints.CannotMessage() : missing;
        }

        if (!found.Has(Permission.SendAttachments))
        {
            return RolesEndpoints.Missing("SEND_ATTACHMENTS");
        }

        var errors = new Dictionary<string, string[]>();
        if (MediaRules.FilenameError(request.Filename, out var filename) is { } filenameError) errors["filename"] = [filenameError];
        var contentType = MediaRules.NormalizeContentType(request.ContentType);
        if (contentType.Length == 0) errors["content_type"] = ["Content_type is required."];
        if (request.SizeBytes is not { } size || size < 1) errors["size_bytes"] = ["Size_bytes must be a whole number of at least 1."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (!MediaRules.Allowed.Contains(contentType))
        {
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.FileTypeNotAllowed, "File type not allowed",
                $"Files of type {contentType} cannot be uploaded.");
        }

        var sizeBytes = request.SizeBytes!.Value;
        var maxUpload = await MaxUploadBytesAsync(db, media, ct);
        if (sizeBytes > maxUpload)
        {
            return TooLarge(maxUpload);
        }

        var used = await db.Attachments.Where(a => a.UploaderId == userId && a.Status != AttachmentStatus.Deleting).SumAsync(a => (long?)a.SizeBytes, ct) ?? 0;
        if (used + sizeBytes > media.UserQuotaBytes)
        {
            return Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.QuotaExceeded, "Storage quota exceeded",
                $"This upload would take your files over your quota of {media.UserQuotaBytes} bytes ({used} used). Delete messages with files to make room.");
        }

        var now = clock.StoredUtcNow();
        var id = Ids.New(IdPrefix);
        var entity = new AttachmentEntity
        {
            Id = id,
            ChannelId = found.Channel.Id,
            UploaderId = userId,
            Filename = filename,
            ContentType = contentType,
            SizeBytes = sizeBytes,
            Status = AttachmentStatus.Pending,
            StorageKey = StorageKeys.Original(id),
            CreatedAt = now,
            ExpiresAt = now + media.UploadWindow,
        };
        db.Attachments.Add(entity);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created(links.UploadUrl(id), new AttachmentUpload(id, links.UploadUrl(id), "PUT", entity.ExpiresAt));
    }

    /// <summary>The largest upload on this pod: the pod's setting (/admin) within the server's maximum, <c>VOXORA_MEDIA__MAX_UPLOAD_BYTES</c>.</summary>
    internal static async Task<long> MaxUploadBytesAsync(VoxoraDbContext db, MediaOptions media, CancellationToken ct)
    {
        var set = await db.PodSettings.AsNoTracking().Where(s => s.Id == PodSettingsEntity.SingletonId).Select(s => s.MaxUploadBytes).SingleOrDefaultAsync(ct);
        return set is { } bytes ? Math.Min(bytes, media.MaxUploadBytes) : media.MaxUploadBytes;
    }

    private static ProblemHttpResult TooLarge(long maxUpload) =>
        Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.FileTooLarge, "File too large", $"Files can be at most {maxUpload} bytes.");

    private static ProblemHttpResult SizeMismatch(long declared) =>
        Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.UploadSizeMismatch, "Size mismatch",
            $"The upload must be exactly the {declared} bytes declared. Nothing was stored.");

    private static ProblemHttpResult ContentMismatch(string contentType) =>
        Problems.Of(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.FileContentMismatch, "Content does not match its type",
            $"The file's bytes are not a valid {contentType}. Nothing was stored.");

    private static async Task<Results<Ok<Attachment>, ProblemHttpResult>> Upload(
        string attachmentId, HttpContext http, VoxoraDbContext db, ServerOptions options, MediaOptions media, IFileStorage storage,
        ImageProcessor images, MediaLinks links, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        if (!Ids.IsWellFormed(attachmentId, IdPrefix))
        {
            return Problems.NotFound("Attachment");
        }

        // Someone else's upload is as unknown as one that does not exist.
        var row = await db.Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId && a.UploaderId == userId, ct);
        if (row is null || row.Status == AttachmentStatus.Deleting)
        {
            return Problems.NotFound("Attachment");
        }

        if (row.Status != AttachmentStatus.Pending)
        {
            return AlreadyUploaded();
        }

        var now = clock.StoredUtcNow();
        if (now > row.ExpiresAt)
        {
            return Problems.Of(StatusCodes.Status410Gone, ProblemCodes.UploadExpired, "Upload URL expired",
                "The upload URL has expired. Announce the file again.");
        }

        // Announced under a higher limit than the pod has now: held to today's.
        var maxUpload = await MaxUploadBytesAsync(db, media, ct);
        if (row.SizeBytes > maxUpload)
        {
            return TooLarge(maxUpload);
        }

        if (http.Request.ContentLength is { } announced && announced != row.SizeBytes)
        {
            return SizeMismatch(row.SizeBytes);
        }

        // One PUT at a time, once: claim the row (a racing second PUT updates nothing and is refused).
        var claimed = await db.Attachments
            .Where(a => a.Id == attachmentId && a.Status == AttachmentStatus.Pending && a.ExpiresAt >= now)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AttachmentStatus.Receiving), ct);
        if (claimed == 0)
        {
            return AlreadyUploaded();
        }

        // The JSON endpoints keep their 1 MiB cap; this one takes the declared size (one byte more is read to tell "too long").
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = row.SizeBytes + 1;
        }

        var folder = StagingFolder(options);
        Directory.CreateDirectory(folder);
        var staging = Path.Combine(folder, attachmentId + "." + Guid.NewGuid().ToString("N"));
        ProcessedImage? image = null;
        var stored = false;
        try
        {
            var received = await ReceiveAsync(http.Request.Body, staging, row.SizeBytes, ct);
            if (received != row.SizeBytes)
            {
                return await ReleaseAsync(db, attachmentId, SizeMismatch(row.SizeBytes));
            }

            var head = new byte[MediaRules.SniffBytes];
            int headLength;
            await using (var file = File.OpenRead(staging))
            {
                headLength = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
            }

            if (!MediaRules.Sniff(row.ContentType, head.AsSpan(0, headLength)))
            {
                return await ReleaseAsync(db, attachmentId, ContentMismatch(row.ContentType));
            }

            var originalPath = staging;
            if (MediaRules.IsImage(row.ContentType))
            {
                try
                {
                    image = await images.ProcessAsync(staging, row.ContentType, ct);
                }
                catch (ImageTooLargeException)
                {
                    return await ReleaseAsync(db, attachmentId, Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemCodes.FileTooLarge,
                        "Image too large", $"Images can have at most {media.MaxImagePixels} pixels."));
                }

                if (image is null)
                {
                    return await ReleaseAsync(db, attachmentId, ContentMismatch(row.ContentType));
                }

                originalPath = image.OriginalPath;
            }

            var size = new FileInfo(originalPath).Length;
            await PutFileAsync(storage, row.StorageKey, originalPath, row.ContentType, ct);
            long? thumbnailSize = null;
            if (image is not null)
            {
                thumbnailSize = new FileInfo(image.ThumbnailPath).Length;
                await PutFileAsync(storage, StorageKeys.Thumbnail(attachmentId), image.ThumbnailPath, "image/webp", ct);
            }

            stored = true;
            var thumbnailKey = image is null ? null : StorageKeys.Thumbnail(attachmentId);
            int? width = image?.Width;
            int? height = image?.Height;
            var uploadedAt = clock.StoredUtcNow();
            var done = await db.Attachments
                .Where(a => a.Id == attachmentId && a.Status == AttachmentStatus.Receiving)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Status, AttachmentStatus.Uploaded)
                    .SetProperty(a => a.SizeBytes, size)
                    .SetProperty(a => a.ThumbnailKey, thumbnailKey)
                    .SetProperty(a => a.ThumbnailSizeBytes, thumbnailSize)
                    .SetProperty(a => a.Width, width)
                    .SetProperty(a => a.Height, height)
                    .SetProperty(a => a.UploadedAt, uploadedAt), CancellationToken.None);
            if (done == 0)
            {
                // Swept meanwhile (the node was stopped for an hour mid-upload): nothing of it may stay.
                stored = false;
                await DeleteFilesAsync(storage, attachmentId);
                return Problems.NotFound("Attachment");
            }

            return TypedResults.Ok(links.ToWire(new AttachmentEntity
            {
                Id = row.Id,
                ChannelId = row.ChannelId,
                UploaderId = row.UploaderId,
                Filename = row.Filename,
                ContentType = row.ContentType,
                SizeBytes = size,
                Status = AttachmentStatus.Uploaded,
                StorageKey = row.StorageKey,
                ThumbnailKey = thumbnailKey,
                ThumbnailSizeBytes = thumbnailSize,
                Width = width,
                Height = height,
                CreatedAt = row.CreatedAt,
                ExpiresAt = row.ExpiresAt,
                UploadedAt = uploadedAt,
            }, links.ExpiryNow()));
        }
        catch (Exception e) when (!stored && e is IOException or OperationCanceledException or BadHttpRequestException or Amazon.Runtime.AmazonServiceException)
        {
            // The client hung up, sent more than the limit, or the store failed: nothing is kept and the upload may be retried.
            await DeleteFilesAsync(storage, attachmentId);
            await ReleaseAsync(db, attachmentId, null);
            if (e is BadHttpRequestException bad && bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return SizeMismatch(row.SizeBytes);
            }

            throw;
        }
        finally
        {
            File.Delete(staging);
            if (image is not null)
            {
                File.Delete(image.OriginalPath);
                File.Delete(image.ThumbnailPath);
            }
        }
    }

    private static ProblemHttpResult AlreadyUploaded() =>
        Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.AlreadyUploaded, "Already uploaded", "This attachment was already uploaded.");

    /// <summary>Reads the body into the staging file: at most one byte more than expected (then it is known to be too long).</summary>
    private static async Task<long> ReceiveAsync(Stream body, string path, long expected, CancellationToken ct)
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
                if (total > expected)
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

    private static async Task PutFileAsync(IFileStorage storage, string key, string path, string contentType, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await storage.PutAsync(key, file, file.Length, contentType, ct);
    }

    private static async Task DeleteFilesAsync(IFileStorage storage, string attachmentId)
    {
        await storage.DeleteAsync(StorageKeys.Original(attachmentId), CancellationToken.None);
        await storage.DeleteAsync(StorageKeys.Thumbnail(attachmentId), CancellationToken.None);
    }

    /// <summary>Gives a failed upload back (pending again, so the client may retry before the URL expires).</summary>
    private static async Task<ProblemHttpResult> ReleaseAsync(VoxoraDbContext db, string attachmentId, ProblemHttpResult? problem)
    {
        await db.Attachments.Where(a => a.Id == attachmentId && a.Status == AttachmentStatus.Receiving)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AttachmentStatus.Pending), CancellationToken.None);
        return problem!;
    }

    /// <summary>
    /// Streams a file to whoever holds a valid link: its type, <c>Content-Disposition</c> (inline only for images, audio, video
    /// and PDF), a sandboxing CSP, byte ranges (206), and private caching until the link expires.
    /// </summary>
    private static async Task<IResult> Serve(string attachmentId, string filename, string? expires, string? signature,
        HttpContext http, VoxoraDbContext db, MediaLinks links, IFileStorage storage, TimeProvider clock, CancellationToken ct)
    {
        if (!Ids.IsWellFormed(attachmentId, IdPrefix))
        {
            return Problems.NotFound("File");
        }

        MediaVariant variant;
        if (filename == MediaLinks.ThumbnailName && links.Verify(MediaVariant.Thumbnail, attachmentId, expires, signature))
        {
            variant = MediaVariant.Thumbnail;
        }
        else if (links.Verify(MediaVariant.Original, attachmentId, expires, signature))
        {
            variant = MediaVariant.Original;
        }
        else
        {
            return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.InvalidMediaLink, "Invalid media link",
                "This media link is expired or not valid. Load the message again for a fresh one.");
        }

        var row = await db.Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachmentId, ct);
        if (row is null || row.Status is not (AttachmentStatus.Uploaded or AttachmentStatus.Attached)
            || variant == MediaVariant.Thumbnail && row.ThumbnailKey is null)
        {
            return Problems.NotFound("File");
        }

        var (key, length, contentType, name) = variant == MediaVariant.Thumbnail
            ? (row.ThumbnailKey!, row.ThumbnailSizeBytes ?? 0, "image/webp", MediaLinks.ThumbnailName)
            : (row.StorageKey, row.SizeBytes, row.ContentType, row.Filename);

        var response = http.Response;
        var headers = response.Headers;
        var range = MediaRules.ParseRange(http.Request.Headers.Range, length, out var unsatisfiable);
        if (unsatisfiable)
        {
            headers.ContentRange = $"bytes */{length}";
            return Problems.Of(StatusCodes.Status416RangeNotSatisfiable, ProblemCodes.MalformedRequest, "Range not satisfiable", $"The file has {length} bytes.");
        }

        var (start, count) = range ?? (0, length);
        var stream = await storage.OpenReadAsync(key, start, range is null ? null : count, ct);
        if (stream is null)
        {
            return Problems.NotFound("File");
        }

        await using (stream)
        {
            var maxAge = Math.Max(0, long.Parse(expires!, CultureInfo.InvariantCulture) - clock.GetUtcNow().ToUnixTimeSeconds());
            response.StatusCode = range is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
            response.ContentType = contentType;
            response.ContentLength = count;
            headers.AcceptRanges = "bytes";
            if (range is not null)
            {
                headers.ContentRange = $"bytes {start}-{start + count - 1}/{length}";
            }

            headers.ContentDisposition = MediaRules.ContentDisposition(contentType, name);
            headers.ContentSecurityPolicy = MediaRules.ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = string.Create(CultureInfo.InvariantCulture, $"private, max-age={maxAge}, immutable");
            headers.ETag = $"\"{attachmentId}-{(variant == MediaVariant.Thumbnail ? "t" : "o")}\"";
            await stream.CopyToAsync(response.Body, ct);
        }

        return Results.Empty;
    }
}
