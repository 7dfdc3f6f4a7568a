using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Stopping a node drains it (docs/architecture.md, "Stopping a node"): gateway clients are told to reconnect
/// (op 7 <c>draining</c>, close 4015), new requests are refused 503 <c>draining</c> while running ones finish,
/// and no message that was answered 2xx is lost.
/// </summary>
public abstract class DrainTests(Provider provider)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_connected_gateway_client_gets_op_7_draining_then_close_4015_when_the_node_stops()
    {
        await using var server = await TestServer.StartAsync(provider);
        await using var person = await GatewayPeople.ConnectedUserAsync(server, "drain");

        var watch = Stopwatch.StartNew();
        var stopping = server.StopAsync();

        var reconnect = await NextControlFrameAsync(person.Gateway);
        Assert.Equal(GatewayOp.Reconnect, reconnect.Op);
        Assert.Equal(ReconnectReasons.Draining, reconnect.D!.Value.Deserialize(VoxoraJsonContext.Default.ReconnectPayload)!.Reason);
        var (status, _) = await person.Gateway.Closed.WaitAsync(Wait);
        Assert.Equal(GatewayCloseCodes.ServerDraining, (int?)status);

        await stopping.WaitAsync(Wait);
        Assert.True(watch.Elapsed < Wait, $"stopping took {watch.Elapsed}");
    }

    [Fact]
    public async Task While_a_request_is_still_running_the_node_refuses_new_ones_503_and_says_draining_then_answers_the_running_one()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (_, user, password) = await server.NewUserAsync("slow");
        using var slowHttp = new HttpClient { BaseAddress = server.BaseAddress };
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var drain = server.Services.GetRequiredService<NodeDrain>();

        // A login whose body is held back: the request is running (inside the pipeline, reading its body) until released.
        await Eventually(() => drain.InFlight == 0);
        var body = new HeldBody(JsonSerializer.SerializeToUtf8Bytes(new LoginRequest(user.Username, password), VoxoraJsonContext.Default.LoginRequest));
        var slowLogin = slowHttp.PostAsync("api/v1/auth/login", body);
        await body.Started.Task.WaitAsync(Wait);
        await Eventually(() => drain.InFlight == 1);

        var stopping = server.StopAsync();
        await Eventually(() => drain.IsDraining);

        using (var ready = await http.GetAsync("health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("draining", (await ready.Content.ReadFromJsonAsync(VoxoraJsonContext.Default.HealthReport))!.Status);
        }

        using (var live = await http.GetAsync("health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using (var refused = await http.PostAsync("api/v1/auth/login", JsonContent.Create(new LoginRequest(user.Username, password), VoxoraJsonContext.Default.LoginRequest)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
            Assert.Equal(ProblemCodes.Draining, (await refused.Content.ReadFromJsonAsync(VoxoraJsonContext.Default.Problem))!.Code);
        }

        using (var upgrade = new ClientWebSocket())
        {
            upgrade.Options.CollectHttpResponseDetails = true;
            var gatewayUri = new UriBuilder(new Uri(server.BaseAddress, "gateway?v=1&encoding=json")) { Scheme = "ws" }.Uri;
            await Assert.ThrowsAsync<WebSocketException>(() => upgrade.ConnectAsync(gatewayUri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upgrade.HttpStatusCode);
        }

        Assert.False(stopping.IsCompleted, "the node stopped while a request was still running");
        body.Release();
        using (var answered = await slowLogin.WaitAsync(Wait))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        await stopping.WaitAsync(Wait);
    }

    [Fact]
    public async Task Messages_posted_while_the_node_stops_are_answered_2xx_and_kept_or_refused_503_never_acknowledged_and_lost()
    {
        var server = await TestServer.StartAsync(provider);
        await using var first = server;
        var (owner, ownerUser, community) = await server.NewCommunityAsync();
        var channel = community.TextChannel();
        var (_, slowUser, password) = await server.NewUserAsync("slow");

        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var refused = 0;

        async Task SendUntilTheNodeIsGoneAsync(int sender)
        {
            // Its own connection per sender, so kept-alive connections meet the drain independently.
            using var client = new VoxoraClient(server.BaseAddress);
            client.AccessToken = owner.AccessToken;
            for (var i = 0; ; i++)
            {
                try
                {
                    var message = await client.SendMessageAsync(channel.Id, $"s{sender} m{i}");
                    acknowledged.Add(message.Id);
                }
                catch (VoxoraApiException ex) when (ex.Status == HttpStatusCode.ServiceUnavailable && ex.Code == ProblemCodes.Draining)
                {
                    Interlocked.Increment(ref refused);
                    await Task.Delay(20);
                }
                catch (HttpRequestException)
                {
                    // Not answered (the listener is closed): not acknowledged either, so nothing is owed.
                    return;
                }
            }
        }

        var senders = Enumerable.Range(0, 4).Select(n => Task.Run(() => SendUntilTheNodeIsGoneAsync(n))).ToArray();
        await Eventually(() => acknowledged.Count >= 40);

        // Hold the drain open with a running request, so senders meet it refusing them, then let it finish.
        using var slowHttp = new HttpClient { BaseAddress = server.BaseAddress };
        var body = new HeldBody(JsonSerializer.SerializeToUtf8Bytes(new LoginRequest(slowUser.Username, password), VoxoraJsonContext.Default.LoginRequest));
        var slowLogin = slowHttp.PostAsync("api/v1/auth/login", body);
        await body.Started.Task.WaitAsync(Wait);
        // Its headers are in and it is counted well before this (asserted below: it is answered 200, not refused 503).
        await Task.Delay(200);

        var stopping = server.StopAsync();
        await Eventually(() => Volatile.Read(ref refused) >= 4);
        body.Release();
        using (var answered = await slowLogin.WaitAsync(Wait))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        await stopping.WaitAsync(Wait);
        await Task.WhenAll(senders).WaitAsync(Wait);

        await using var second = await TestServer.StartAsync(provider, dataDir: first.DataDir, reuseConnectionString: first.ConnectionString);
        using var reader = second.NewClient();
        await reader.LoginAsync(ownerUser.Username, "correct horse battery");
        var stored = new HashSet<string>();
        string? before = null;
        while (true)
        {
            var page = await reader.GetMessagesAsync(channel.Id, before: before, limit: 100);
            if (page.Count == 0)
            {
                break;
            }

            stored.UnionWith(page.Select(m => m.Id));
            before = page.MinBy(m => long.Parse(m.Id, System.Globalization.CultureInfo.InvariantCulture))!.Id;
        }

        var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged messages are missing after the restart");
        Assert.True(refused > 0);
    }

    /// <summary>The next frame that is not a heartbeat ACK or a dispatch.</summary>
    private static async Task<GatewayFrame> NextControlFrameAsync(GatewayClient gateway)
    {
        while (true)
        {
            var frame = await gateway.ReceiveAsync(Wait);
            if (frame.Op is not (GatewayOp.HeartbeatAck or GatewayOp.Dispatch))
            {
                return frame;
            }
        }
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Wait, "timed out waiting");
            await Task.Delay(10);
        }
    }

    /// <summary>A JSON request body sent in two parts: the first byte at once, the rest when the test says so.</summary>
    private sealed class HeldBody : HttpContent
    {
        private readonly byte[] content;
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldBody(byte[] content)
        {
            this.content = content;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(content.AsMemory(0, 1));
            await stream.FlushAsync();
            Started.TrySetResult();
            await release.Task;
            await stream.WriteAsync(content.AsMemory(1));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = content.Length;
            return true;
        }
    }
}

public sealed class DrainTestsOnSqlite() : DrainTests(Provider.Sqlite);

public sealed class DrainTestsOnPostgres() : DrainTests(Provider.Postgres);
