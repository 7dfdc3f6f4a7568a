using System.Net;
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
/// The gateway protocol over real sockets: HELLO/IDENTIFY/READY, heartbeats, RESUME and every limit,
/// each closing with its documented code. Events here are pushed through the hub directly so each test
/// controls exactly what is sent; GatewayLiveTests drive the same paths through the REST API.
/// </summary>
public abstract class GatewayProtocolTests(Provider provider)
{
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    private static async Task<WebSocketCloseStatus?> ClosedWith(GatewayClient client)
    {
        var finished = await Task.WhenAny(client.Closed, Task.Delay(CloseWait));
        Assert.True(finished == client.Closed, "the server did not close the connection");
        return (await client.Closed).Status;
    }

    private static void PublishTo(TestServer server, string userId, string type, string json) =>
        server.Services.GetRequiredService<GatewayHub>().Publish(type, Encoding.UTF8.GetBytes(json), Audience.User(userId));

    [Fact]
    public async Task Identify_answers_ready_with_the_session_user_and_communities()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, user, _) = await server.NewUserAsync("gw");
        using var _c = client;
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        Assert.True(gateway.HeartbeatIntervalMs > 0);

        var ready = await gateway.IdentifyAsync(client.AccessToken!);
        Assert.StartsWith("gw_", ready.SessionId, StringComparison.Ordinal);
        Assert.Equal(user.Id, ready.User.Id);
        Assert.Empty(ready.Communities);
        Assert.Equal(1, gateway.LastSeq);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    public async Task Identify_with_a_bad_token_closes_4004(string token)
    {
        await using var server = await TestServer.StartAsync(provider);
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.SendAsync(GatewayOp.Identify, new IdentifyPayload(token), VoxoraJsonContext.Default.IdentifyPayload);
        Assert.Equal(GatewayCloseCodes.AuthenticationFailed, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task Identify_with_a_token_of_an_ended_session_closes_4004()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, _, _) = await server.NewUserAsync("ended");
        using var _c = client;
        var token = client.AccessToken!;
        await client.LogoutAsync();
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.SendAsync(GatewayOp.Identify, new IdentifyPayload(token), VoxoraJsonContext.Default.IdentifyPayload);
        Assert.Equal(GatewayCloseCodes.AuthenticationFailed, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task Logging_out_closes_live_gateway_connections_of_that_session_with_4012()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, user, password) = await server.NewUserAsync("bye");
        using var _c = client;
        using var other = server.NewClient();
        await other.LoginAsync(user.Username, password);
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(client.AccessToken!);
        await using var otherGateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await otherGateway.IdentifyAsync(other.AccessToken!);

        await client.LogoutAsync();
        Assert.Equal(GatewayCloseCodes.SessionRevoked, (int?)await ClosedWith(gateway));

        // The other device's session is untouched.
        PublishTo(server, user.Id, "PING", "{}");
        Assert.Equal("PING", (await otherGateway.WaitForDispatchAsync("PING")).T);
    }

    [Fact]
    public async Task Anything_but_identify_resume_or_heartbeat_before_identify_closes_4003()
    {
        await using var server = await TestServer.StartAsync(provider);
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.SendRawAsync("""{"op":10,"d":{}}"""u8.ToArray());
        Assert.Equal(GatewayCloseCodes.NotAuthenticated, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task Unknown_opcodes_close_4001_and_identifying_twice_closes_4005()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, _, _) = await server.NewUserAsync("ops");
        using var _c = client;
        await using (var gateway = await GatewayClient.ConnectAsync(server.BaseAddress))
        {
            await gateway.IdentifyAsync(client.AccessToken!);
            await gateway.SendRawAsync("""{"op":99,"d":null}"""u8.ToArray());
            Assert.Equal(GatewayCloseCodes.UnknownOpcode, (int?)await ClosedWith(gateway));
        }

        await using var twice = await GatewayClient.ConnectAsync(server.BaseAddress);
        await twice.IdentifyAsync(client.AccessToken!);
        await twice.SendAsync(GatewayOp.Identify, new IdentifyPayload(client.AccessToken), VoxoraJsonContext.Default.IdentifyPayload);
        Assert.Equal(GatewayCloseCodes.AlreadyAuthenticated, (int?)await ClosedWith(twice));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"op\"")]
    [InlineData("{\"op\":2}")]
    [InlineData("{\"op\":2,\"d\":\"token\"}")]
    public async Task Malformed_frames_close_4002(string frame)
    {
        await using var server = await TestServer.StartAsync(provider);
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.SendRawAsync(Encoding.UTF8.GetBytes(frame));
        Assert.Equal(GatewayCloseCodes.DecodeError, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task Binary_frames_close_4002()
    {
        await using var server = await TestServer.StartAsync(provider);
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.SendRawAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary);
        Assert.Equal(GatewayCloseCodes.DecodeError, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task Messages_over_64_KiB_close_4010_but_64_KiB_is_read()
    {
        await using var server = await TestServer.StartAsync(provider);
        await using (var exact = await GatewayClient.ConnectAsync(server.BaseAddress))
        {
            // A 64 KiB heartbeat (padded with spaces) is within the limit: it gets its ACK.
            var padded = new byte[64 * 1024];
            Array.Fill(padded, (byte)' ');
            """{"op":1,"d":null}"""u8.CopyTo(padded);
            await exact.SendRawAsync(padded);
            Assert.Equal(GatewayOp.HeartbeatAck, (await exact.ReceiveAsync()).Op);
        }

        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        var big = new byte[(64 * 1024) + 1];
        Array.Fill(big, (byte)' ');
        """{"op":1,"d":null}"""u8.CopyTo(big);
        await gateway.SendRawAsync(big);
        Assert.Equal(GatewayCloseCodes.MessageTooLarge, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task More_inbound_events_than_the_rate_allows_close_4008()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:INBOUND_PER_10S"] = "5" });
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress, autoHeartbeat: false);
        for (var i = 0; i < 5; i++)
        {
            await gateway.HeartbeatAsync();
            Assert.Equal(GatewayOp.HeartbeatAck, (await gateway.ReceiveAsync()).Op);
        }

        await gateway.HeartbeatAsync();
        Assert.Equal(GatewayCloseCodes.RateLimited, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task A_connection_that_stops_heartbeating_is_closed_4009()
    {
        // 1 s, not less: the heartbeating connection must survive the scheduling stalls of a busy 2-core CI machine
        // (it beats every 0.5 s and is closed after 1.5 s of silence), while the silent one is closed within 1.5 s.
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:HEARTBEAT_INTERVAL_MS"] = "1000" });
        var (client, _, _) = await server.NewUserAsync("quiet");
        using var _c = client;

        await using var beating = await GatewayClient.ConnectAsync(server.BaseAddress);
        await beating.IdentifyAsync(client.AccessToken!);
        await using var silent = await GatewayClient.ConnectAsync(server.BaseAddress, autoHeartbeat: false);
        await silent.IdentifyAsync(client.AccessToken!);

        Assert.Equal(GatewayCloseCodes.SessionTimedOut, (int?)await ClosedWith(silent));
        Assert.Equal(WebSocketState.Open, beating.State);
    }

    [Fact]
    public async Task A_connection_that_never_identifies_is_closed_4003()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:IDENTIFY_TIMEOUT_SECONDS"] = "1" });
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        Assert.Equal(GatewayCloseCodes.NotAuthenticated, (int?)await ClosedWith(gateway));
    }

    [Fact]
    public async Task Resume_replays_exactly_the_missed_events_in_order_then_resumed()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, user, _) = await server.NewUserAsync("resume");
        using var _c = client;
        var first = await GatewayClient.ConnectAsync(server.BaseAddress);
        var ready = await first.IdentifyAsync(client.AccessToken!);
        PublishTo(server, user.Id, "EVENT", """{"n":1}""");
        await first.WaitForDispatchAsync("EVENT");
        var seenSeq = first.LastSeq;
        first.Drop();
        await first.DisposeAsync();

        for (var n = 2; n <= 6; n++)
        {
            PublishTo(server, user.Id, "EVENT", $$"""{"n":{{n}}}""");
        }

        await using var second = await GatewayClient.ConnectAsync(server.BaseAddress);
        await second.ResumeAsync(ready.SessionId, client.AccessToken!, seenSeq);
        var replayed = new List<GatewayFrame>();
        while (true)
        {
            var frame = await second.ReceiveAsync();
            if (frame.T == GatewayEvents.Resumed)
            {
                break;
            }

            replayed.Add(frame);
        }

        Assert.Equal([2, 3, 4, 5, 6], replayed.Select(f => f.D!.Value.GetProperty("n").GetInt32()));
        Assert.Equal(Enumerable.Range((int)seenSeq + 1, 5).Select(i => (long)i), replayed.Select(f => f.S!.Value));

        // Live events continue the same sequence.
        PublishTo(server, user.Id, "EVENT", """{"n":7}""");
        var live = await second.WaitForDispatchAsync("EVENT");
        Assert.Equal(seenSeq + 6, live.S);
    }

    [Fact]
    public async Task Resume_from_a_sequence_no_longer_buffered_asks_for_a_new_identify()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:REPLAY_BUFFER_SIZE"] = "5" });
        var (client, user, _) = await server.NewUserAsync("toolate");
        using var _c = client;
        var first = await GatewayClient.ConnectAsync(server.BaseAddress);
        var ready = await first.IdentifyAsync(client.AccessToken!);
        var seenSeq = first.LastSeq;
        first.Drop();
        await first.DisposeAsync();
        for (var n = 0; n < 10; n++)
        {
            PublishTo(server, user.Id, "EVENT", "{}");
        }

        await using var second = await GatewayClient.ConnectAsync(server.BaseAddress);
        await second.ResumeAsync(ready.SessionId, client.AccessToken!, seenSeq);
        var reconnect = await second.ReceiveAsync();
        Assert.Equal(GatewayOp.Reconnect, reconnect.Op);
        Assert.Equal("seq_out_of_range", reconnect.D!.Value.GetProperty("reason").GetString());

        // The same connection can start over with IDENTIFY.
        var fresh = await second.IdentifyAsync(client.AccessToken!);
        Assert.NotEqual(ready.SessionId, fresh.SessionId);
    }

    [Fact]
    public async Task Resume_of_an_unknown_or_foreign_session_asks_for_a_new_identify()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (alice, _, _) = await server.NewUserAsync("alice");
        var (mallory, _, _) = await server.NewUserAsync("mallory");
        using var _a = alice;
        using var _m = mallory;
        await using var aliceGateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        var ready = await aliceGateway.IdentifyAsync(alice.AccessToken!);

        await using var unknown = await GatewayClient.ConnectAsync(server.BaseAddress);
        await unknown.ResumeAsync("gw_01ARZ3NDEKTSV4RRFFQ69G5FAV", alice.AccessToken!, 1);
        Assert.Equal(GatewayOp.Reconnect, (await unknown.ReceiveAsync()).Op);

        await using var foreign = await GatewayClient.ConnectAsync(server.BaseAddress);
        await foreign.ResumeAsync(ready.SessionId, mallory.AccessToken!, 1);
        var answer = await foreign.ReceiveAsync();
        Assert.Equal(GatewayOp.Reconnect, answer.Op);
        Assert.Equal("session_expired", answer.D!.Value.GetProperty("reason").GetString());
        Assert.Equal(WebSocketState.Open, aliceGateway.State);
    }

    [Fact]
    public async Task Sessions_are_forgotten_after_the_resume_window()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:RESUME_WINDOW_SECONDS"] = "1" });
        var (client, _, _) = await server.NewUserAsync("window");
        using var _c = client;
        var first = await GatewayClient.ConnectAsync(server.BaseAddress);
        var ready = await first.IdentifyAsync(client.AccessToken!);
        first.Drop();
        await first.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));

        await using var second = await GatewayClient.ConnectAsync(server.BaseAddress);
        await second.ResumeAsync(ready.SessionId, client.AccessToken!, 1);
        Assert.Equal(GatewayOp.Reconnect, (await second.ReceiveAsync()).Op);
    }

    [Fact]
    public async Task A_slow_consumer_is_closed_4011_and_can_resume_what_it_missed()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["GATEWAY:OUTBOUND_QUEUE"] = "16" });
        var (client, user, _) = await server.NewUserAsync("slow");
        using var _c = client;

        // A raw socket that identifies and then stops reading.
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{server.BaseAddress.Authority}/gateway?v=1&encoding=json"), CancellationToken.None);
        var buffer = new byte[1 << 20];
        await socket.ReceiveAsync(buffer, CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes($$$"""{"op":2,"d":{"token":"{{{client.AccessToken}}}"}}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var readyResult = await socket.ReceiveAsync(buffer, CancellationToken.None);
        var sessionId = JsonDocument.Parse(buffer.AsMemory(0, readyResult.Count)).RootElement.GetProperty("d").GetProperty("session_id").GetString()!;

        // Far more than the socket buffers hold: the server's queue fills and it gives up on us.
        var payload = "{\"blob\":\"" + new string('x', 60_000) + "\"}";
        var hub = server.Services.GetRequiredService<GatewayHub>();
        var session = hub.FindSession(sessionId)!;
        for (var i = 0; i < 400 && !session.DetachedAt.HasValue; i++)
        {
            hub.Publish("BLOB", Encoding.UTF8.GetBytes(payload), Audience.User(user.Id));
            if (i % 50 == 49) await Task.Delay(50);
        }

        // Drain: queued frames, then the close frame with its code.
        WebSocketReceiveResult result;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
        }
        while (result.MessageType != WebSocketMessageType.Close);
        Assert.Equal(GatewayCloseCodes.SlowConsumer, (int?)result.CloseStatus);

        // Nothing was lost for good: resume from READY replays every BLOB (buffer is 1000).
        await using var again = await GatewayClient.ConnectAsync(server.BaseAddress);
        await again.ResumeAsync(sessionId, client.AccessToken!, 1);
        var count = 0;
        while ((await again.ReceiveAsync(TimeSpan.FromSeconds(20))).T != GatewayEvents.Resumed)
        {
            count++;
        }

        Assert.Equal(session.LastSeq - 1, count);
    }

    [Fact]
    public async Task The_gateway_refuses_plain_http_and_unknown_versions()
    {
        await using var server = await TestServer.StartAsync(provider);
        using var client = server.NewClient();
        using var plain = await client.Http.GetAsync("gateway?v=1&encoding=json");
        await Expect.Problem(HttpStatusCode.BadRequest, "websocket_required", plain);

        using var socket = new ClientWebSocket();
        var error = await Assert.ThrowsAnyAsync<WebSocketException>(() =>
            socket.ConnectAsync(new Uri($"ws://{server.BaseAddress.Authority}/gateway?v=9&encoding=etf"), CancellationToken.None));
        Assert.NotNull(error);
    }
}

public sealed class GatewayProtocolTestsOnSqlite() : GatewayProtocolTests(Provider.Sqlite);

public sealed class GatewayProtocolTestsOnPostgres() : GatewayProtocolTests(Provider.Postgres);
