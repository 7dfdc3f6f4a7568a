using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Gateway;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Gateway abuse limits (security review, issue 12 finding 6): connections per user and per address,
/// upgrades and IDENTIFY/RESUME per minute, and resumable sessions per user. Each refusal is a
/// documented close code, or a 429 problem with Retry-After for the HTTP upgrade itself.
/// </summary>
public abstract class GatewayAbuseTests(Provider provider)
{
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    private static async Task<int?> ClosedWith(GatewayClient client)
    {
        var finished = await Task.WhenAny(client.Closed, Task.Delay(CloseWait));
        Assert.True(finished == client.Closed, "the server did not close the connection");
        return (int?)(await client.Closed).Status;
    }

    private static async Task<GatewayClient> IdentifiedAsync(TestServer server, string token)
    {
        var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(token);
        return gateway;
    }

    /// <summary>The raw HTTP answer to a WebSocket upgrade request (status, Retry-After, body).</summary>
    private static async Task<(int Status, string? RetryAfter, string Body)> UpgradeAnswerAsync(TestServer server)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var request = $"GET /gateway?v=1&encoding=json HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var text = received.ToString();
            var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd >= 0)
            {
                var headers = text[..headerEnd].Split("\r\n");
                var status = int.Parse(headers[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                string? Header(string name) => headers.Skip(1).Select(h => h.Split(':', 2))
                    .Where(h => h[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h[1].Trim()).FirstOrDefault();
                if (status == 101)
                {
                    return (status, null, "");
                }

                var rest = text[(headerEnd + 4)..];
                if (Header("Content-Length") is { } contentLength)
                {
                    var length = int.Parse(contentLength, System.Globalization.CultureInfo.InvariantCulture);
                    if (rest.Length >= length)
                    {
                        return (status, Header("Retry-After"), rest[..length]);
                    }
                }
                else if (rest.EndsWith("0\r\n\r\n", StringComparison.Ordinal))
                {
                    return (status, Header("Retry-After"), Dechunk(rest));
                }
            }

            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new IOException("connection closed before a full answer: " + text);
            }

            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[position..lineEnd], 16);
            if (size == 0)
            {
                return body.ToString();
            }

            body.Append(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }

    private static void AssertProblem(string body, string code)
    {
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task The_eleventh_connection_of_one_user_is_closed_4013_and_a_freed_slot_can_be_used_again()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, user, _) = await server.NewUserAsync("many");
        using var _c = client;
        var open = new List<GatewayClient>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                open.Add(await IdentifiedAsync(server, client.AccessToken!));
            }

            await using var eleventh = await GatewayClient.ConnectAsync(server.BaseAddress);
            await eleventh.SendAsync(GatewayOp.Identify, new IdentifyPayload(client.AccessToken), VoxoraJsonContext.Default.IdentifyPayload);
            Assert.Equal(GatewayCloseCodes.TooManyConnections, await ClosedWith(eleventh));
            Assert.All(open, g => Assert.Equal(WebSocketState.Open, g.State));
            Assert.Equal(10, server.Services.GetRequiredService<GatewayHub>().SessionCount);

            // Closing one frees its slot.
            await open[0].CloseAsync();
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            var admission = server.Services.GetRequiredService<GatewayAdmission>();
            var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
            while (admission.ConnectionsOf(user.Id) > 9 && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            open.Add(await IdentifiedAsync(server, client.AccessToken!));
        }
        finally
        {
            foreach (var gateway in open)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Resuming_onto_a_still_open_connection_is_allowed_at_the_cap()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:MAX_CONNECTIONS_PER_USER"] = "2" });
        var (client, _, _) = await server.NewUserAsync("takeover");
        using var _c = client;
        await using var first = await IdentifiedAsync(server, client.AccessToken!);
        await using var second = await IdentifiedAsync(server, client.AccessToken!);

        // The client lost the first connection but the server has not noticed yet: its RESUME takes it over.
        await using var resumed = await GatewayClient.ConnectAsync(server.BaseAddress);
        await resumed.ResumeAsync(first.SessionId!, client.AccessToken!, first.LastSeq);
        await resumed.WaitForDispatchAsync(GatewayEvents.Resumed);
        Assert.Equal(GatewayCloseCodes.SessionTimedOut, await ClosedWith(first));
    }

    [Fact]
    public async Task Connections_per_address_are_capped_with_a_429_problem_and_retry_after()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:MAX_CONNECTIONS_PER_ADDRESS"] = "3" });
        var open = new List<GatewayClient>();
        for (var i = 0; i < 3; i++)
        {
            open.Add(await GatewayClient.ConnectAsync(server.BaseAddress));
        }

        var (status, retryAfter, body) = await UpgradeAnswerAsync(server);
        Assert.Equal(429, status);
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds >= 1, $"Retry-After was {retryAfter}");
        AssertProblem(body, ProblemCodes.TooManyConnections);
        await Assert.ThrowsAsync<WebSocketException>(() => GatewayClient.ConnectAsync(server.BaseAddress));
        Assert.Equal(3, server.Services.GetRequiredService<GatewayServer>().ConnectionCount);

        // A closed connection frees its place.
        await open[0].CloseAsync();
        await open[0].DisposeAsync();
        open.RemoveAt(0);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (server.Services.GetRequiredService<GatewayServer>().ConnectionCount > 2 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await Task.Delay(200);
        open.Add(await GatewayClient.ConnectAsync(server.BaseAddress));
        foreach (var gateway in open)
        {
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task Upgrades_per_address_are_rate_limited_with_a_429_problem_and_retry_after()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:UPGRADES_PER_MINUTE_PER_ADDRESS"] = "3" });
        for (var i = 0; i < 3; i++)
        {
            await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
            await gateway.CloseAsync();
        }

        var (status, retryAfter, body) = await UpgradeAnswerAsync(server);
        Assert.Equal(429, status);
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds is >= 1 and <= 60, $"Retry-After was {retryAfter}");
        AssertProblem(body, ProblemCodes.RateLimited);
    }

    [Fact]
    public async Task Identify_and_resume_per_user_are_rate_limited_with_4014()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:IDENTIFIES_PER_MINUTE_PER_USER"] = "3" });
        var (client, _, _) = await server.NewUserAsync("flood");
        var (other, _, _) = await server.NewUserAsync("bystander");
        using var _c = client;
        using var _o = other;
        string sessionId;
        await using (var first = await IdentifiedAsync(server, client.AccessToken!))
        {
            sessionId = first.SessionId!;
            first.Drop();
        }

        // A RESUME counts too.
        await using (var resumed = await GatewayClient.ConnectAsync(server.BaseAddress))
        {
            await resumed.ResumeAsync(sessionId, client.AccessToken!, 1);
            await resumed.WaitForDispatchAsync(GatewayEvents.Resumed);
            resumed.Drop();
        }

        await using (var third = await IdentifiedAsync(server, client.AccessToken!))
        {
            third.Drop();
        }

        var sessionsBefore = server.Services.GetRequiredService<GatewayHub>().SessionCount;
        await using var fourth = await GatewayClient.ConnectAsync(server.BaseAddress);
        await fourth.SendAsync(GatewayOp.Identify, new IdentifyPayload(client.AccessToken), VoxoraJsonContext.Default.IdentifyPayload);
        Assert.Equal(GatewayCloseCodes.IdentifyRateLimited, await ClosedWith(fourth));
        Assert.Equal(sessionsBefore, server.Services.GetRequiredService<GatewayHub>().SessionCount);

        await using var resumeAgain = await GatewayClient.ConnectAsync(server.BaseAddress);
        await resumeAgain.ResumeAsync(sessionId, client.AccessToken!, 1);
        Assert.Equal(GatewayCloseCodes.IdentifyRateLimited, await ClosedWith(resumeAgain));

        // Another user from the same address is not affected.
        await using var bystander = await IdentifiedAsync(server, other.AccessToken!);
    }

    [Fact]
    public async Task Identify_per_address_is_rate_limited_with_4014_before_the_token_is_checked()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:IDENTIFIES_PER_MINUTE_PER_ADDRESS"] = "3" });
        for (var i = 0; i < 3; i++)
        {
            await using var guess = await GatewayClient.ConnectAsync(server.BaseAddress);
            await guess.SendAsync(GatewayOp.Identify, new IdentifyPayload("not-a-token-" + i), VoxoraJsonContext.Default.IdentifyPayload);
            Assert.Equal(GatewayCloseCodes.AuthenticationFailed, await ClosedWith(guess));
        }

        await using var fourth = await GatewayClient.ConnectAsync(server.BaseAddress);
        await fourth.SendAsync(GatewayOp.Identify, new IdentifyPayload("not-a-token"), VoxoraJsonContext.Default.IdentifyPayload);
        Assert.Equal(GatewayCloseCodes.IdentifyRateLimited, await ClosedWith(fourth));
    }

    [Fact]
    public async Task Identify_and_drop_keeps_only_the_newest_resumable_sessions_of_a_user()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:MAX_RESUMABLE_SESSIONS_PER_USER"] = "3" });
        var (client, user, _) = await server.NewUserAsync("dropper");
        using var _c = client;
        var hub = server.Services.GetRequiredService<GatewayHub>();
        var gatewayServer = server.Services.GetRequiredService<GatewayServer>();
        var sessionIds = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var gateway = await IdentifiedAsync(server, client.AccessToken!);
            sessionIds.Add(gateway.SessionId!);
            gateway.Drop();
            await gateway.DisposeAsync();
            var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
            while (gatewayServer.ConnectionCount > 0 && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }

        // The last drop parks its session (and evicts the oldest beyond the cap) just after its connection is counted
        // out, so give that a moment before counting.
        var settled = DateTimeOffset.UtcNow.AddSeconds(10);
        while (hub.Sessions.Count(s => s.UserId == user.Id) != 3 && DateTimeOffset.UtcNow < settled)
        {
            await Task.Delay(20);
        }

        Assert.Equal(3, hub.Sessions.Count(s => s.UserId == user.Id));
        Assert.Equal(sessionIds[3..], hub.Sessions.Where(s => s.UserId == user.Id).Select(s => s.Id).Order(StringComparer.Ordinal).ToList());

        // The oldest is gone: RESUME is told to start over (op 7 RECONNECT, session_expired), as for an expired session.
        await using var stale = await GatewayClient.ConnectAsync(server.BaseAddress);
        await stale.ResumeAsync(sessionIds[0], client.AccessToken!, 1);
        var answer = await stale.ReceiveAsync();
        Assert.Equal(GatewayOp.Reconnect, answer.Op);
        Assert.Equal("session_expired", answer.D!.Value.GetProperty("reason").GetString());

        // The newest still resumes.
        await using var fresh = await GatewayClient.ConnectAsync(server.BaseAddress);
        await fresh.ResumeAsync(sessionIds[^1], client.AccessToken!, 1);
        await fresh.WaitForDispatchAsync(GatewayEvents.Resumed);
    }

    [Fact]
    public async Task A_client_that_keeps_losing_its_connection_still_resumes_under_the_default_limits()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, user, _) = await server.NewUserAsync("flaky");
        using var _c = client;
        var gateway = await IdentifiedAsync(server, client.AccessToken!);
        var sessionId = gateway.SessionId!;
        for (var i = 0; i < 8; i++)
        {
            var seq = gateway.LastSeq;
            gateway.Drop();
            await gateway.DisposeAsync();
            server.Services.GetRequiredService<GatewayHub>().Publish("EVENT", Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""), Audience.User(user.Id));
            gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
            await gateway.ResumeAsync(sessionId, client.AccessToken!, seq);
            var replayed = await gateway.WaitForDispatchAsync("EVENT");
            Assert.Equal(i, replayed.D!.Value.GetProperty("n").GetInt32());
            await gateway.WaitForDispatchAsync(GatewayEvents.Resumed);
        }

        await gateway.DisposeAsync();
    }
}

public sealed class GatewayAbuseTestsOnSqlite() : GatewayAbuseTests(Provider.Sqlite);

public sealed class GatewayAbuseTestsOnPostgres() : GatewayAbuseTests(Provider.Postgres);
