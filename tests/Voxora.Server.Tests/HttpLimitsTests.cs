using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The HTTP surface's own limits (docs/security.md "HTTP limits"): a REST request that runs past
/// <c>VOXORA_HTTP__REQUEST_TIMEOUT_SECONDS</c> is stopped and answered 504 <c>request_timeout</c> while the node keeps
/// serving; the gateway's long-lived WebSocket is exempt; a client that never finishes its headers is cut off.
/// </summary>
public sealed class HttpLimitsTests
{
    /// <summary>
    /// A person, a community and a message made by a node with the default timeout (registration hashes a password,
    /// which can take more than a second on a busy machine), then a node on the same data with a timeout of
    /// <paramref name="timeoutSeconds"/>; tokens carry over (same public URL, keys in the database).
    /// </summary>
    private static async Task<(TestServer Setup, TestServer Limited, string Token, string ChannelId, string MessageId)> StartWithShortTimeoutAsync(
        Provider provider, int timeoutSeconds)
    {
        var dataDir = Directory.CreateTempSubdirectory("voxora-test-").FullName;
        var shared = new Dictionary<string, string?> { ["PUBLIC_URL"] = "http://timeouts.test" };
        var setup = await TestServer.StartAsync(provider, shared, dataDir);
        var (alice, _, _) = await setup.NewUserAsync("slow");
        using var _a = alice;
        var community = await alice.CreateCommunityAsync("Held up");
        var channelId = community.Channels!.First(c => c.Type == ChannelTypes.Text).Id;
        var sent = await alice.SendMessageAsync(channelId, "before the lock");
        await setup.StopAsync();

        var limited = await TestServer.StartAsync(provider,
            new Dictionary<string, string?>(shared) { ["HTTP:REQUEST_TIMEOUT_SECONDS"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            dataDir, reuseConnectionString: setup.ConnectionString);
        return (setup, limited, alice.AccessToken!, channelId, sent.Id);
    }

    [Fact]
    public async Task A_request_held_up_past_the_timeout_is_stopped_with_504_request_timeout_and_the_node_keeps_serving()
    {
        var (setup, limited, token, channelId, messageId) = await StartWithShortTimeoutAsync(Provider.Postgres, 3);
        await using var _s = setup;
        await using var _l = limited;
        using var http = new HttpClient { BaseAddress = limited.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var warm = await http.GetAsync($"/api/v1/channels/{channelId}/messages"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // Another connection holds the messages table: the read waits on PostgreSQL's lock until the timeout stops it.
        await using (var locker = new NpgsqlConnection(limited.ConnectionString))
        {
            await locker.OpenAsync();
            await using var transaction = await locker.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE", locker, transaction))
            {
                await command.ExecuteNonQueryAsync();
            }

            var clock = Stopwatch.StartNew();
            using var held = await http.GetAsync($"/api/v1/channels/{channelId}/messages");
            clock.Stop();
            Assert.Equal(HttpStatusCode.GatewayTimeout, held.StatusCode);
            Assert.Equal("application/problem+json", held.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await held.Content.ReadAsStringAsync());
            Assert.Equal(ProblemCodes.RequestTimeout, problem.RootElement.GetProperty("code").GetString());
            Assert.Contains("3 s", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            // Stopped by the timeout, not by the test's own patience (the lock is held for as long as the test likes).
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"answered after {clock.Elapsed}");

            // Other work on the node goes on while the lock is still held.
            using var me = await http.GetAsync("/api/v1/users/@me");
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            await transaction.RollbackAsync();
        }

        using var after = await http.GetAsync($"/api/v1/channels/{channelId}/messages");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Contains(messageId, await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_connection_outlives_the_request_timeout()
    {
        var (setup, limited, token, _, _) = await StartWithShortTimeoutAsync(Provider.Sqlite, 1);
        await using var _s = setup;
        await using var _l = limited;
        await using var gateway = await GatewayClient.ConnectAsync(limited.BaseAddress);
        await gateway.IdentifyAsync(token);

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(gateway.Closed.IsCompleted, "the gateway connection was closed");
        await gateway.HeartbeatAsync();
        var ack = await gateway.ReceiveAsync();
        while (ack.Op != GatewayOp.HeartbeatAck)
        {
            ack = await gateway.ReceiveAsync();
        }
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_cut_off()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { ["HTTP:HEADERS_TIMEOUT_SECONDS"] = "1" });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /health/live HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nX-Slow: "));

        // Kestrel answers 408 and closes; what matters is that the connection does not stay open.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var answer = new StringBuilder();
        var buffer = new byte[1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, patience.Token)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.True(answer.Length == 0 || answer.ToString().StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer.ToString());
    }
}
