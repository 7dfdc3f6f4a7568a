using Microsoft.Extensions.Logging.Abstractions;
using Voxora.Server.Features.LinkPreviews;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Cluster;

/// <summary>With Redis, two nodes' preview caches are one cache and their per-channel fetch limits one limit.</summary>
public sealed class ClusterLinkPreviewCacheTests
{
    private static (PreviewCache Cache, ClusterConnection Connection) Node(string prefix, int perMinute)
    {
        var options = new ServerOptions();
        options.Redis.Configuration = ClusterNodes.RedisConfiguration;
        options.Redis.Prefix = prefix;
        var connection = new ClusterConnection(options, NullLogger<ClusterConnection>.Instance);
        var shared = new SharedLimits(connection, NullLogger<SharedLimits>.Instance);
        return (new PreviewCache(shared, new LinkPreviewOptions { FetchesPerMinutePerChannel = perMinute }, TimeProvider.System), connection);
    }

    [Fact]
    public async Task A_preview_fetched_on_one_node_is_cached_for_the_other_and_the_channel_limit_is_shared()
    {
        var prefix = "lptest-" + Guid.NewGuid().ToString("N")[..8];
        var (a, connectionA) = Node(prefix, 3);
        var (b, connectionB) = Node(prefix, 3);
        await using var _a = connectionA;
        await using var _b = connectionB;
        using var _ca = a;
        using var _cb = b;

        var url = "https://example.com/" + Guid.NewGuid().ToString("N");
        Assert.False((await b.GetAsync(url)).Found);
        await a.SetAsync(url, new StoredEmbed(url, "Title", null, "https://example.com/i.png", "Example", 0x123456));
        var (found, embed) = await b.GetAsync(url);
        Assert.True(found);
        Assert.Equal(("Title", "Example", (int?)0x123456), (embed!.Title, embed.SiteName, embed.Color));

        // A link that gave nothing is remembered as nothing (found, no embed).
        var empty = url + "/empty";
        await b.SetAsync(empty, null);
        Assert.Equal((true, (StoredEmbed?)null), await a.GetAsync(empty));

        // Three fetches per minute for the channel across both nodes.
        var channel = "ch_" + Guid.NewGuid().ToString("N");
        Assert.True(await a.TryTakeFetchAsync(channel));
        Assert.True(await b.TryTakeFetchAsync(channel));
        Assert.True(await a.TryTakeFetchAsync(channel));
        Assert.False(await b.TryTakeFetchAsync(channel));
        Assert.False(await a.TryTakeFetchAsync(channel));
        Assert.True(await b.TryTakeFetchAsync(channel + "-other"));
    }
}
