using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>
/// Fetched previews by URL (key: SHA-256 of the URL) for 24 hours — an hour for links that gave none — and the per-channel
/// fetch limit. In a cluster (<c>VOXORA_REDIS__CONFIGURATION</c>) both live in Redis, so every node sees one cache and one
/// limit; without Redis, or while it is unreachable, each node keeps its own (as the other shared limits do).
/// </summary>
public sealed class PreviewCache(SharedLimits shared, LinkPreviewOptions options, TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan Keep = TimeSpan.FromHours(24);
    public static readonly TimeSpan KeepNothing = TimeSpan.FromHours(1);
    private const string None = "-";

    private readonly MemoryCache local = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly ConcurrentDictionary<string, SlidingWindowRateLimiter> windows = new(StringComparer.Ordinal);

    /// <summary>Found: the preview (null when the link had none). Not found: fetch it.</summary>
    public async Task<(bool Found, StoredEmbed? Embed)> GetAsync(string url)
    {
        var key = Key(url);
        if (local.TryGetValue(key, out string? cached))
        {
            return (true, Decode(cached));
        }

        var remote = await shared.ReadAsync("lp:" + key);
        if (remote.Answered && remote.Value.HasValue)
        {
            var text = remote.Value.ToString();
            Remember(key, text, Keep);
            return (true, Decode(text));
        }

        return (false, null);
    }

    public async Task SetAsync(string url, StoredEmbed? embed)
    {
        var key = Key(url);
        var text = embed is null ? None : System.Text.Json.JsonSerializer.Serialize(embed, LinkPreviewJsonContext.Default.StoredEmbed);
        var keep = embed is null ? KeepNothing : Keep;
        Remember(key, text, keep);
        await shared.ClaimAsync("lp:" + key, text, keep);
    }

    /// <summary>Takes one of the channel's fetches of this minute; false when they are used up.</summary>
    public async Task<bool> TryTakeFetchAsync(string channelId)
    {
        var limit = options.FetchesPerMinutePerChannel;
        var remote = await shared.TryTakeWindowAsync("lp:" + channelId, limit, TimeSpan.FromMinutes(1), 6);
        if (remote.Answered)
        {
            return remote.Value.Taken;
        }

        var window = windows.GetOrAdd(channelId, _ => new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
        using var lease = window.AttemptAcquire();
        if (windows.Count > 10_000)
        {
            // Idle channels' windows are dropped now and then; at worst a channel gets a fresh window early.
            foreach (var (id, idle) in windows)
            {
                if (idle.GetStatistics()?.CurrentAvailablePermits == limit && windows.TryRemove(id, out var removed))
                {
                    removed.Dispose();
                }
            }
        }

        return lease.IsAcquired;
    }

    private void Remember(string key, string text, TimeSpan keep) =>
        local.Set(key, text, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = clock.GetUtcNow() + keep });

    private static StoredEmbed? Decode(string? text)
    {
        if (text is null or None)
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(text, LinkPreviewJsonContext.Default.StoredEmbed);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Key(string url) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)));

    public void Dispose()
    {
        local.Dispose();
        foreach (var window in windows.Values)
        {
            window.Dispose();
        }
    }
}

/// <summary>
/// Preview images the proxy served lately (1 hour, 64 MiB in all, per node), and images that could not be served (5
/// minutes): a popular preview is fetched from its site once, not once per reader, and a signed address cannot be used
/// to make the server hammer a site.
/// </summary>
public sealed class ProxyImageCache(TimeProvider clock) : IDisposable
{
    public const long MaxBytes = 64L * 1024 * 1024;
    public static readonly TimeSpan Keep = TimeSpan.FromHours(1);
    public static readonly TimeSpan KeepFailure = TimeSpan.FromMinutes(5);

    private readonly MemoryCache images = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    /// <summary>Found: the image (null when it could not be served lately). Not found: fetch it.</summary>
    public bool TryGet(string url, out (byte[] Body, string ContentType)? image) => images.TryGetValue(url, out image);

    public void Set(string url, (byte[] Body, string ContentType)? image) =>
        images.Set(url, image, new MemoryCacheEntryOptions
        {
            Size = Math.Max(1, image?.Body.Length ?? 1),
            AbsoluteExpiration = clock.GetUtcNow() + (image is null ? KeepFailure : Keep),
        });

    public void Dispose() => images.Dispose();
}
