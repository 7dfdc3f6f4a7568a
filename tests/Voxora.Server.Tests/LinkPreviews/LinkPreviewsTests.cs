using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.LinkPreviews;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.LinkPreviews;

/// <summary>A hosts file for the fetcher: names resolve to what a test says (anything else does not resolve).</summary>
public sealed class HostsResolver : IHostResolver
{
    public ConcurrentDictionary<string, IPAddress[]> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        Hosts.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new SocketException((int)SocketError.HostNotFound);
}

/// <summary>
/// One server per provider, allowed to reach exactly one loopback endpoint (<see cref="Allowed"/>, 127.0.0.1:p) through the
/// test-only setting; <see cref="Forbidden"/> listens on 127.0.0.2:p (same port, another loopback address), which nothing may reach.
/// </summary>
public abstract class LinkPreviewFixture(Provider provider) : IAsyncLifetime
{
    private TestServer? server;

    public TestOrigin Allowed { get; private set; } = null!;
    public TestOrigin Forbidden { get; private set; } = null!;
    public HostsResolver Resolver { get; } = new();
    public TestServer Server => server ?? throw new InvalidOperationException("Fixture not started.");
    public ConcurrentDictionary<string, int> Processed { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        Allowed = await TestOrigin.StartAsync("127.0.0.1");
        Forbidden = await TestOrigin.StartAsync("127.0.0.2", Allowed.EndPoint.Port);
        server = await TestServer.StartAsync(provider,
            new Dictionary<string, string?> { ["LINK_PREVIEWS:ALLOW_LOOPBACK_FOR_TESTS"] = Allowed.EndPoint.ToString() },
            services: s => s.AddSingleton<IHostResolver>(Resolver));
        server.Services.GetRequiredService<LinkPreviewService>().Processed += id => Processed.AddOrUpdate(id, 1, (_, n) => n + 1);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        await Allowed.DisposeAsync();
        await Forbidden.DisposeAsync();
    }
}

public sealed class SqliteLinkPreviewFixture() : LinkPreviewFixture(Provider.Sqlite);

public sealed class PostgresLinkPreviewFixture() : LinkPreviewFixture(Provider.Postgres);

/// <summary>Link previews (seed 000 §P2-6): delivery, EMBED_LINKS, limits, removal, the image proxy and the SSRF guards — on each provider.</summary>
public abstract class LinkPreviewsTests(LinkPreviewFixture fixture)
{
    private TestServer Server => fixture.Server;
    private TestOrigin Allowed => fixture.Allowed;
    private TestOrigin Forbidden => fixture.Forbidden;
    private int Port => Allowed.EndPoint.Port;

    private static Message MessageOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.Message)!;

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    /// <summary>Waits until the preview service has looked at the message (its MESSAGE_UPDATE, if any, was published before).</summary>
    private async Task WaitProcessedAsync(string messageId)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!fixture.Processed.ContainsKey(messageId))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"message {messageId} was not processed");
            await Task.Delay(25);
        }
    }

    private static async Task<Message> NextUpdateAsync(GatewayClient gateway, string messageId)
    {
        while (true)
        {
            var message = MessageOf(await gateway.WaitForDispatchAsync(GatewayEvents.MessageUpdate, TimeSpan.FromSeconds(20)));
            if (message.Id == messageId)
            {
                return message;
            }
        }
    }

    private async Task<(VoxoraClient Owner, GatewayPerson Member, string Channel, Community Community)> SetUpAsync()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        var person = await GatewayPeople.ConnectAsync(Server, member, memberUser);
        return (owner, person, community.TextChannel().Id, community);
    }

    [Fact]
    public async Task A_preview_arrives_with_MESSAGE_UPDATE_is_kept_in_history_and_its_image_comes_through_the_signed_proxy()
    {
        var (owner, member, channel, _) = await SetUpAsync();
        using var _o = owner;
        await using var _m = member;
        var name = Unique("alpha");
        var sent = await owner.SendMessageAsync(channel, $"look at {Allowed.Url("page/" + name)} !");
        Assert.Empty(sent.Embeds);

        var updated = await NextUpdateAsync(member.Gateway, sent.Id);
        var embed = Assert.Single(updated.Embeds);
        Assert.Equal(("link", Allowed.Url("page/" + name), $"Title of {name}", $"About {name}", "Test Origin", (int?)0x3498db),
            (embed.Type, embed.Url, embed.Title, embed.Description, embed.SiteName, embed.Color));
        Assert.StartsWith(new Uri(Server.BaseAddress, "api/v1/media/proxy?").AbsoluteUri, embed.ThumbnailUrl, StringComparison.Ordinal);
        Assert.Equal(sent.Content, updated.Content);
        Assert.Null(updated.EditedAt);

        var history = Assert.Single(await member.Api.GetMessagesAsync(channel), m => m.Id == sent.Id);
        Assert.Equal($"Title of {name}", Assert.Single(history.Embeds).Title);

        // The image: no token needed (an <img> has none), the signature is the authorisation; served as what the bytes are.
        using var anonymous = new HttpClient();
        using var image = await anonymous.GetAsync(embed.ThumbnailUrl);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(TestOrigin.Png, await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", image.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", image.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.True(image.Headers.CacheControl!.Private);

        // Served again from the server's own cache: the site sees one request, however many readers load it.
        var imageRequests = Allowed.Requests.Count(r => r.StartsWith("/image.png?for=" + name, StringComparison.Ordinal));
        using var again = await anonymous.GetAsync(embed.ThumbnailUrl);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(imageRequests, Allowed.Requests.Count(r => r.StartsWith("/image.png?for=" + name, StringComparison.Ordinal)));
        Assert.Equal(1, imageRequests);

        // Tampering with the address or the signature: not an open proxy.
        var tampered = embed.ThumbnailUrl!.Replace("image.png", "secret", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(tampered)).StatusCode);
        var badSignature = embed.ThumbnailUrl![..^4] + "AAAA";
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(badSignature)).StatusCode);
        var other = new Uri(Server.BaseAddress, $"api/v1/media/proxy?url={Uri.EscapeDataString(Allowed.Url("image.png"))}&expires=99999999999&signature=x");
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(other)).StatusCode);
    }

    [Fact]
    public async Task Pages_without_open_graph_fall_back_to_title_and_oembed_and_an_edit_that_changes_the_links_computes_them_again()
    {
        var (owner, member, channel, _) = await SetUpAsync();
        using var _o = owner;
        await using var _m = member;
        var plain = Unique("plain");
        var embedded = Unique("oembed");
        var sent = await owner.SendMessageAsync(channel, $"{Allowed.Url("plain/" + plain)} and {Allowed.Url("oembed-page/" + embedded)}");
        var updated = await NextUpdateAsync(member.Gateway, sent.Id);
        Assert.Equal([($"Plain {plain}", "Plain page", (string?)null), ($"oEmbed {embedded}", null, "Embedder")],
            updated.Embeds.Select(e => (e.Title, e.Description, e.SiteName)));

        // Keeping the links keeps the previews (no fetch, no second update of its own).
        var kept = await owner.EditMessageAsync(channel, sent.Id, $"edited: {Allowed.Url("plain/" + plain)} and {Allowed.Url("oembed-page/" + embedded)}");
        Assert.Equal(2, kept.Embeds.Count);

        // Changing them: the edit drops the gone link's preview, then the new one arrives.
        var next = Unique("next");
        var edited = await owner.EditMessageAsync(channel, sent.Id, $"now {Allowed.Url("plain/" + plain)} {Allowed.Url("page/" + next)}");
        Assert.Equal([$"Plain {plain}"], edited.Embeds.Select(e => e.Title));
        Message latest;
        do
        {
            latest = await NextUpdateAsync(member.Gateway, sent.Id);
        }
        while (!latest.Embeds.Any(e => e.Title == $"Title of {next}"));
        Assert.Equal([$"Plain {plain}", $"Title of {next}"], latest.Embeds.Select(e => e.Title));
        Assert.NotNull(latest.EditedAt);
    }

    [Fact]
    public async Task Without_EMBED_LINKS_nothing_is_fetched()
    {
        var (owner, member, channel, community) = await SetUpAsync();
        using var _o = owner;
        await using var _m = member;
        var everyone = (await owner.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        await owner.UpdateRoleAsync(community.Id, everyone.Id, new UpdateRoleRequest(Permissions: everyone.Permissions & ~Permission.EmbedLinks));
        var name = Unique("denied");
        var sent = await member.Api.SendMessageAsync(channel, Allowed.Url("page/" + name));
        await WaitProcessedAsync(sent.Id);
        Assert.False(Allowed.Saw("/page/" + name));
        Assert.Empty(Assert.Single(await member.Api.GetMessagesAsync(channel), m => m.Id == sent.Id).Embeds);

        // The owner holds every permission: their links get previews.
        var owners = await owner.SendMessageAsync(channel, Allowed.Url("page/" + name + "o"));
        Assert.Single((await NextUpdateAsync(member.Gateway, owners.Id)).Embeds);
    }

    [Fact]
    public async Task At_most_five_links_per_message_and_ten_fetches_per_minute_per_channel()
    {
        var (owner, member, channel, _) = await SetUpAsync();
        using var _o = owner;
        await using var _m = member;
        var prefix = Unique("many");
        var links = Enumerable.Range(1, 7).Select(i => Allowed.Url($"page/{prefix}-{i}")).ToList();
        var sent = await owner.SendMessageAsync(channel, string.Join(' ', links));
        var updated = await NextUpdateAsync(member.Gateway, sent.Id);
        Assert.Equal(links.Take(5), updated.Embeds.Select(e => e.Url));
        Assert.False(Allowed.Saw($"/page/{prefix}-6"));
        Assert.False(Allowed.Saw($"/page/{prefix}-7"));

        // Five fetches used; the next message's five use the rest of the minute; the third's are not fetched at all.
        var second = await owner.SendMessageAsync(channel, string.Join(' ', Enumerable.Range(11, 5).Select(i => Allowed.Url($"page/{prefix}-{i}"))));
        Assert.Equal(5, (await NextUpdateAsync(member.Gateway, second.Id)).Embeds.Count);
        var third = await owner.SendMessageAsync(channel, string.Join(' ', Enumerable.Range(21, 5).Select(i => Allowed.Url($"page/{prefix}-{i}"))));
        await WaitProcessedAsync(third.Id);
        Assert.All(Enumerable.Range(21, 5), i => Assert.False(Allowed.Saw($"/page/{prefix}-{i}")));
        Assert.Empty(Assert.Single(await owner.GetMessagesAsync(channel), m => m.Id == third.Id).Embeds);

        // A link already fetched comes from the cache and costs no fetch.
        var cached = await owner.SendMessageAsync(channel, links[0]);
        Assert.Single((await NextUpdateAsync(member.Gateway, cached.Id)).Embeds);
    }

    [Fact]
    public async Task The_author_or_a_moderator_removes_previews_for_good_and_others_cannot()
    {
        var (owner, member, channel, _) = await SetUpAsync();
        using var _o = owner;
        await using var _m = member;
        var name = Unique("remove");
        var sent = await member.Api.SendMessageAsync(channel, Allowed.Url("page/" + name));
        Assert.Single((await NextUpdateAsync(member.Gateway, sent.Id)).Embeds);

        // Another member without MANAGE_MESSAGES: 403.
        var (stranger, _) = await Server.NewMemberAsync(owner, sent.CommunityId!);
        using var _s = stranger;
        var forbidden = await Assert.ThrowsAsync<VoxoraApiException>(() => stranger.RemoveEmbedsAsync(channel, sent.Id));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);

        // The author: 204 and MESSAGE_UPDATE with no embeds; an edit with a new link does not bring any back.
        await member.Api.RemoveEmbedsAsync(channel, sent.Id);
        Assert.Empty((await NextUpdateAsync(member.Gateway, sent.Id)).Embeds);
        Assert.Empty(Assert.Single(await member.Api.GetMessagesAsync(channel), m => m.Id == sent.Id).Embeds);
        var again = Unique("again");
        await member.Api.EditMessageAsync(channel, sent.Id, Allowed.Url("page/" + again));
        await WaitProcessedAsync(sent.Id);
        await Task.Delay(300);
        Assert.False(Allowed.Saw("/page/" + again));
        Assert.Empty(Assert.Single(await member.Api.GetMessagesAsync(channel), m => m.Id == sent.Id).Embeds);

        // The owner (MANAGE_MESSAGES) may remove another's previews.
        var second = await member.Api.SendMessageAsync(channel, Allowed.Url("page/" + name + "2"));
        Assert.Single((await NextUpdateAsync(member.Gateway, second.Id)).Embeds);
        await owner.RemoveEmbedsAsync(channel, second.Id);
        Assert.Empty((await NextUpdateAsync(member.Gateway, second.Id)).Embeds);

        // Unknown message or channel: 404; no token: 401.
        var unknown = await Assert.ThrowsAsync<VoxoraApiException>(() => owner.RemoveEmbedsAsync(channel, "123456789"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        var unknownChannel = await Assert.ThrowsAsync<VoxoraApiException>(() => owner.RemoveEmbedsAsync("ch_01ARZ3NDEKTSV4RRFFQ69G5FAV", sent.Id));
        Assert.Equal(HttpStatusCode.NotFound, unknownChannel.Status);
        using var nobody = Server.NewClient();
        var unauthenticated = await Assert.ThrowsAsync<VoxoraApiException>(() => nobody.RemoveEmbedsAsync(channel, sent.Id));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.Status);
    }

    [Theory]
    [InlineData("127.0.0.2")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("[::1]")]
    [InlineData("[fe80::1]")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("[::ffff:127.0.0.2]")]
    [InlineData("[fc00::1]")]
    [InlineData("[64:ff9b::7f00:1]")]
    [InlineData("[2002:7f00:2::1]")]
    public async Task Non_public_addresses_are_never_connected_to(string host)
    {
        var fetcher = Server.Services.GetRequiredService<SafeHttpFetcher>();
        var path = "/secret/" + Unique("ip");
        var result = await fetcher.FetchAsync(new Uri($"http://{host}:{Port}{path}"), "text/html", _ => true, 1024, true, CancellationToken.None);
        Assert.False(result.Ok);
        Assert.StartsWith("refused", result.Error, StringComparison.Ordinal);
        Assert.False(Forbidden.Saw(path));
        Assert.False(Allowed.Saw(path));
    }

    [Fact]
    public async Task A_public_looking_name_that_resolves_to_a_private_address_is_refused_on_the_resolved_address()
    {
        fixture.Resolver.Hosts["innocent.example"] = [IPAddress.Parse("127.0.0.2")];
        fixture.Resolver.Hosts["metadata.example"] = [IPAddress.Parse("169.254.169.254")];
        fixture.Resolver.Hosts["mapped.example"] = [IPAddress.Parse("::ffff:127.0.0.1")];
        var fetcher = Server.Services.GetRequiredService<SafeHttpFetcher>();
        foreach (var name in new[] { "innocent.example", "metadata.example", "mapped.example" })
        {
            var path = "/secret/" + Unique("dns");
            var result = await fetcher.FetchAsync(new Uri($"http://{name}:{Port}{path}"), "text/html", _ => true, 1024, true, CancellationToken.None);
            Assert.StartsWith("refused", result.Error, StringComparison.Ordinal);
            Assert.False(Forbidden.Saw(path));
            Assert.False(Allowed.Saw(path));
        }

        // And through a message: no preview, no request.
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var secret = "/secret/" + Unique("msg");
        var sent = await owner.SendMessageAsync(community.TextChannel().Id, $"http://innocent.example:{Port}{secret}");
        await WaitProcessedAsync(sent.Id);
        Assert.False(Forbidden.Saw(secret));
        Assert.Empty(Assert.Single(await owner.GetMessagesAsync(community.TextChannel().Id), m => m.Id == sent.Id).Embeds);
    }

    [Fact]
    public async Task A_redirect_from_an_allowed_host_to_a_private_address_is_refused()
    {
        fixture.Resolver.Hosts["innocent.example"] = [IPAddress.Parse("127.0.0.2")];
        var fetcher = Server.Services.GetRequiredService<SafeHttpFetcher>();
        foreach (var target in new[] { $"http://127.0.0.2:{Port}", $"http://innocent.example:{Port}", $"http://[::1]:{Port}", $"http://169.254.169.254:{Port}" })
        {
            var path = "/secret/" + Unique("redirect");
            var start = Allowed.Url("redirect?to=" + Uri.EscapeDataString(target + path));
            var result = await fetcher.FetchAsync(new Uri(start), "text/html", _ => true, 1024, true, CancellationToken.None);
            Assert.StartsWith("refused", result.Error, StringComparison.Ordinal);
            Assert.True(Allowed.Saw("/redirect?to="));
            Assert.False(Forbidden.Saw(path));
            Assert.False(Allowed.Saw(path));
        }

        // Four redirects in a row: more than three are not followed.
        var final = "/secret/" + Unique("hops");
        var url = Allowed.Url(final.TrimStart('/'));
        for (var i = 0; i < 4; i++)
        {
            url = Allowed.Url("redirect?to=" + Uri.EscapeDataString(url));
        }

        Assert.Equal("too many redirects", (await fetcher.FetchAsync(new Uri(url), "text/html", _ => true, 1024, true, CancellationToken.None)).Error);
        Assert.False(Allowed.Saw(final));
    }

    [Fact]
    public async Task Other_ports_schemes_user_info_and_this_server_are_refused_and_the_proxy_serves_only_real_raster_images()
    {
        var fetcher = Server.Services.GetRequiredService<SafeHttpFetcher>();
        async Task<string?> ErrorOf(string url) =>
            (await fetcher.FetchAsync(new Uri(url), "text/html", _ => true, 1024, true, CancellationToken.None)).Error;
        Assert.Equal("port 22", await ErrorOf("http://example.com:22/"));
        Assert.Equal("only http and https", await ErrorOf("ftp://example.com/"));
        Assert.Equal("user info in the URL", await ErrorOf($"http://user:pass@127.0.0.1:{Port}/page/x"));
        Assert.Equal("this server", await ErrorOf(new Uri(Server.BaseAddress, "health").AbsoluteUri));
        Assert.Equal("this server", await ErrorOf($"http://127.0.0.1.:{Server.BaseAddress.Port}/health"));

        // Through the proxy, with valid signatures: a private target, an SVG, and SVG bytes labelled PNG are all refused.
        var presenter = Server.Services.GetRequiredService<EmbedPresenter>();
        var expires = TimeProvider.System.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        using var anonymous = new HttpClient();
        var secret = "/secret/" + Unique("proxy");
        foreach (var target in new[] { $"http://127.0.0.2:{Port}{secret}", Allowed.Url("svg"), Allowed.Url("fake.png") })
        {
            using var response = await anonymous.GetAsync(presenter.ProxyUrl(target, expires));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.False(Forbidden.Saw(secret));
        using var expired = await anonymous.GetAsync(presenter.ProxyUrl(Allowed.Url("image.png"), TimeProvider.System.GetUtcNow().AddMinutes(-1).ToUnixTimeSeconds()));
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        using var fine = await anonymous.GetAsync(presenter.ProxyUrl(Allowed.Url("image.png"), expires));
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }
}

public sealed class LinkPreviewsTestsOnSqlite(SqliteLinkPreviewFixture fixture) : LinkPreviewsTests(fixture), IClassFixture<SqliteLinkPreviewFixture>;

public sealed class LinkPreviewsTestsOnPostgres(PostgresLinkPreviewFixture fixture) : LinkPreviewsTests(fixture), IClassFixture<PostgresLinkPreviewFixture>;
