using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Attachments;

/// <summary>Which file of an attachment a link is for.</summary>
public enum MediaVariant
{
    Original,
    Thumbnail,
}

/// <summary>
/// Signed, expiring media links (<c>/api/v1/media/{id}/{filename}?expires=…&amp;signature=…</c>): HMAC-SHA256 over the variant,
/// the attachment id and the expiry, under a key kept in the database (created on the first start, the same on every node).
/// Expiries are rounded up to the next hour, so one file's link stays the same for an hour and browsers can cache it.
/// </summary>
public sealed class MediaLinks(IServiceScopeFactory scopes, MediaOptions options, PublicOrigin origin, TimeProvider clock, ILogger<MediaLinks> logger)
{
    public const string RowId = "media";
    public const string ThumbnailName = "thumbnail.webp";

    private volatile byte[]? key;

    private byte[] Key => key ?? throw new InvalidOperationException("The media key is loaded at start-up, before the server accepts requests.");

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var row = await db.MediaKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == RowId, ct);
        if (row is null)
        {
            row = new MediaKeyEntity { Id = RowId, Key = RandomNumberGenerator.GetBytes(32), CreatedAt = clock.GetUtcNow() };
            db.MediaKeys.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
                logger.LogInformation("Created the media link signing key");
            }
            catch (DbUpdateException)
            {
                // Another node created it between our read and our insert: use theirs.
                db.ChangeTracker.Clear();
                row = await db.MediaKeys.AsNoTracking().SingleAsync(k => k.Id == RowId, ct);
            }
        }

        key = row.Key;
    }

    /// <summary>For tests and tools: use this key instead of the stored one.</summary>
    internal void UseKey(byte[] value) => key = value;

    /// <summary>The expiry of links made now: <see cref="MediaOptions.UrlSeconds"/> ahead, rounded up to the next full hour.</summary>
    public long ExpiryNow()
    {
        var at = clock.GetUtcNow().ToUnixTimeSeconds() + options.UrlSeconds;
        return (at + 3599) / 3600 * 3600;
    }

    public static string Sign(byte[] key, MediaVariant variant, string attachmentId, long expires)
    {
        var data = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(variant == MediaVariant.Thumbnail ? "thumbnail" : "original")}\n{attachmentId}\n{expires}"));
        return Base64Url.EncodeToString(HMACSHA256.HashData(key, data));
    }

    /// <summary>True when the signature is this server's for this file and variant and has not expired (constant-time compare).</summary>
    public static bool Verify(byte[] key, MediaVariant variant, string attachmentId, long expires, string? signature, long nowUnix)
    {
        if (signature is null || expires < nowUnix)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(key, variant, attachmentId, expires));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    public bool Verify(MediaVariant variant, string attachmentId, string? expires, string? signature) =>
        long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var at)
        && Verify(Key, variant, attachmentId, at, signature, clock.GetUtcNow().ToUnixTimeSeconds());

    public string Url(MediaVariant variant, string attachmentId, string filename, long expires)
    {
        var name = variant == MediaVariant.Thumbnail ? ThumbnailName : filename;
        return string.Create(CultureInfo.InvariantCulture,
            $"{origin.Url.TrimEnd('/')}/api/v1/media/{attachmentId}/{Uri.EscapeDataString(name)}?expires={expires}&signature={Sign(Key, variant, attachmentId, expires)}");
    }

    public string UploadUrl(string attachmentId) => $"{origin.Url.TrimEnd('/')}/api/v1/media/upload/{attachmentId}";

    /// <summary>The wire form of a stored attachment, with fresh links.</summary>
    public Attachment ToWire(AttachmentEntity a, long expires) =>
        new(a.Id, a.Filename, a.ContentType, a.SizeBytes, Url(MediaVariant.Original, a.Id, a.Filename, expires),
            a.ThumbnailKey is null ? null : Url(MediaVariant.Thumbnail, a.Id, a.Filename, expires), a.Width, a.Height);

    /// <summary>The attachments of these messages in their order, one query (none when no ids).</summary>
    public async Task<Dictionary<long, List<Attachment>>> OfMessagesAsync(VoxoraDbContext db, IReadOnlyCollection<long> messageIds, CancellationToken ct)
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        var rows = await db.Attachments.AsNoTracking()
            .Where(a => a.MessageId != null && messageIds.Contains(a.MessageId.Value) && a.Status == AttachmentStatus.Attached)
            .ToListAsync(ct);
        var expires = ExpiryNow();
        return rows.GroupBy(a => a.MessageId!.Value)
            .ToDictionary(g => g.Key, g => g.OrderBy(a => a.Position).Select(a => ToWire(a, expires)).ToList());
    }
}
