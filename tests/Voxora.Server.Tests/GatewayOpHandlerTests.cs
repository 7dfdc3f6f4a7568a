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
/// A gateway op registered by a feature through DI (here a test feature serving op 10 SUBSCRIBE, which no feature serves yet) reaches
/// its handler over a real socket, with the identified session, and can answer on that session.
/// </summary>
public abstract class GatewayOpHandlerTests(Provider provider)
{
    private const string EchoEvent = "TEST_SUBSCRIBE_ECHO";

    private sealed class SubscribeEcho : IGatewayOpHandler
    {
        public IReadOnlyList<int> Ops { get; } = [GatewayOp.Subscribe];

        public bool RequiresSession => true;

        public TaskCompletionSource<(string UserId, string Status)> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct)
        {
            var status = frame.D?.GetProperty("status").GetString() ?? "";
            Received.TrySetResult((context.IdentifiedSession.UserId, status));
            context.IdentifiedSession.Enqueue(new OutboundEvent(EchoEvent, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { status }))));
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task An_op_registered_through_DI_reaches_its_handler_with_the_session_and_the_handler_answers()
    {
        var echo = new SubscribeEcho();
        await using var server = await TestServer.StartAsync(provider, services: s => s.AddSingleton<IGatewayOpHandler>(echo));
        var registry = server.Services.GetRequiredService<GatewayOpRegistry>();
        Assert.Equal([GatewayOp.VoiceStateUpdate, GatewayOp.PresenceUpdate, GatewayOp.Subscribe, GatewayOp.VoiceSignal], registry.Ops.Order());

        var (client, user, _) = await server.NewUserAsync("ops");
        using var _c = client;
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(client.AccessToken!);

        await gateway.SendRawAsync("""{"op":10,"d":{"status":"online"}}"""u8.ToArray());

        var received = await echo.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((user.Id, "online"), received);
        var answer = await gateway.WaitForDispatchAsync(EchoEvent);
        Assert.Equal("online", answer.D!.Value.GetProperty("status").GetString());
        Assert.Equal(WebSocketState.Open, gateway.State);
    }

    [Fact]
    public async Task A_registered_op_that_needs_a_session_closes_4003_before_identify_without_reaching_the_handler()
    {
        var echo = new SubscribeEcho();
        await using var server = await TestServer.StartAsync(provider, services: s => s.AddSingleton<IGatewayOpHandler>(echo));
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);

        await gateway.SendRawAsync("""{"op":10,"d":{"status":"online"}}"""u8.ToArray());

        var closed = await gateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GatewayCloseCodes.NotAuthenticated, (int?)closed.Status);
        Assert.False(echo.Received.Task.IsCompleted);
    }
}

public sealed class GatewayOpHandlerTestsOnSqlite() : GatewayOpHandlerTests(Provider.Sqlite);

public sealed class GatewayOpHandlerTestsOnPostgres() : GatewayOpHandlerTests(Provider.Postgres);
