using System.Net;
using Voxora.Server.Infrastructure.Metrics;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// <c>GET /metrics</c>: Prometheus text with the HTTP, gateway, login, writer, process and GC metrics, answered to
/// loopback and the allowed networks only — judged on the real client address behind a trusted proxy, and refused when
/// an untrusted proxy forwarded the request.
/// </summary>
public sealed class MetricsTests
{
    private static async Task<(HttpStatusCode Status, string Body)> ScrapeAsync(TestServer server, string? forwardedFor = null)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Loopback_reads_request_gateway_login_writer_process_and_gc_metrics()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite);
        var (alice, _, _) = await server.NewUserAsync("met");
        using var _a = alice;
        await alice.GetMeAsync();
        var community = await alice.CreateCommunityAsync("Measured");
        await alice.SendMessageAsync(community.Channels!.First(c => c.Type == Protocol.ChannelTypes.Text).Id, "counted");
        using var stranger = server.NewClient();
        await Assert.ThrowsAsync<Client.VoxoraApiException>(() => stranger.LoginAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], "wrong password!"));

        var (status, body) = await ScrapeAsync(server);
        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var expected in new[]
                 {
                     // ASP.NET Core's own request duration, per route template (not per id), and the rate limiter's decisions.
                     "microsoft_aspnetcore_hosting_http_server_request_duration", "http_route=\"/api/v1/users/@me/\"",
                     "http_route=\"/api/v1/channels/{channelId}/messages",
                     "microsoft_aspnetcore_ratelimiting_aspnetcore_rate_limiting_requests",
                     "voxora_node_gateway_sessions", "voxora_gateway_dispatches", "voxora_auth_login_failures",
                     "voxora_messages_writer_batch_size", "voxora_node_voice_participants",
                     "process_cpu_seconds_total", "dotnet_collection_count_total",
                 })
        {
            Assert.True(body.Contains(expected, StringComparison.Ordinal), $"/metrics lacks {expected}:\n{body[..Math.Min(body.Length, 4000)]}");
        }

        Assert.DoesNotContain("/api/v1/communities/com_", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_forwarded_by_an_untrusted_proxy_or_from_outside_the_allowed_networks_get_404()
    {
        // No trusted proxy: a forwarded request may come from anywhere through a proxy on loopback.
        await using (var server = await TestServer.StartAsync(Provider.Sqlite))
        {
            Assert.Equal(HttpStatusCode.OK, (await ScrapeAsync(server)).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await ScrapeAsync(server, "203.0.113.7")).Status);
        }

        // Behind a trusted proxy the real client counts: outside the allowed networks it is refused, inside it reads.
        await using (var proxied = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
                     {
                         ["NETWORK:TRUSTED_PROXIES"] = "127.0.0.1",
                         ["METRICS:ALLOW"] = "10.20.0.0/16, 192.0.2.1",
                     }))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await ScrapeAsync(proxied, "203.0.113.7")).Status);
            Assert.Equal(HttpStatusCode.OK, (await ScrapeAsync(proxied, "10.20.3.4")).Status);
            Assert.Equal(HttpStatusCode.OK, (await ScrapeAsync(proxied, "192.0.2.1")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await ScrapeAsync(proxied, "192.0.2.2")).Status);
        }

        // Turned off: no metrics at all (the path is then the web client's, like any unknown page).
        await using (var off = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { ["METRICS:ENABLED"] = "false" }))
        {
            Assert.DoesNotContain("process_cpu_seconds_total", (await ScrapeAsync(off)).Body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", false, "", true)]
    [InlineData("::1", false, "", true)]
    [InlineData("::ffff:127.0.0.1", false, "", true)]
    [InlineData("127.0.0.1", true, "", false)]
    [InlineData("10.1.2.3", false, "", false)]
    [InlineData("10.1.2.3", false, "10.0.0.0/8", true)]
    [InlineData("::ffff:10.1.2.3", false, "10.0.0.0/8", true)]
    [InlineData("11.1.2.3", false, "10.0.0.0/8", false)]
    [InlineData("2001:db8::5", false, "2001:db8::/32", true)]
    [InlineData("10.1.2.3", true, "10.0.0.0/8", false)]
    public void The_access_rule(string client, bool untrustedForwarding, string allow, bool allowed)
    {
        var networks = new MetricsOptions { Allow = allow }.AllowedNetworks;
        Assert.Equal(allowed, MetricsAccess.IsAllowed(IPAddress.Parse(client), untrustedForwarding, networks));
    }
}
