using Voxora.Client;
using Voxora.Protocol;

namespace Voxora.Server.Tests.Infrastructure;

/// <summary>A signed-in user with an identified gateway connection: who the gateway tests talk about.</summary>
public sealed record GatewayPerson(VoxoraClient Api, User User, GatewayClient Gateway) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        Api.Dispose();
    }
}

/// <summary>Helpers shared by the tests that watch what arrives on live gateway connections.</summary>
public static class GatewayPeople
{
    /// <summary>How long "nothing arrives" waits before it believes it.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(600);

    /// <summary>Registers a fresh user and identifies a gateway connection for them.</summary>
    public static async Task<GatewayPerson> ConnectedUserAsync(TestServer server, string prefix)
    {
        var (api, user, _) = await server.NewUserAsync(prefix);
        return await ConnectAsync(server, api, user);
    }

    /// <summary>Identifies a gateway connection for a user who is already signed in.</summary>
    public static async Task<GatewayPerson> ConnectAsync(TestServer server, VoxoraClient api, User user)
    {
        var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(api.AccessToken!);
        return new GatewayPerson(api, user, gateway);
    }

    /// <summary>The next dispatch, skipping heartbeat ACKs.</summary>
    public static async Task<GatewayFrame> NextDispatchAsync(GatewayClient gateway)
    {
        while (true)
        {
            var frame = await gateway.ReceiveAsync();
            if (frame.Op == GatewayOp.Dispatch)
            {
                return frame;
            }
        }
    }

    public static async Task AssertNothingArrivesAsync(GatewayClient gateway)
    {
        var frame = await gateway.TryReceiveDispatchAsync(Quiet);
        Assert.True(frame is null, $"unexpected {frame?.T}: {frame?.D}");
    }

    /// <summary>
    /// Waits the quiet period and fails if a dispatch of one of <paramref name="types"/> arrives. Other dispatches are
    /// skipped: in a cluster a late dispatch of the test's own setup (the bus can lag a REST call under load) may still
    /// arrive on a connection made after it, and is not what the test is about.
    /// </summary>
    public static async Task AssertNoneOfArrivesAsync(GatewayClient gateway, params string[] types)
    {
        var until = DateTimeOffset.UtcNow + Quiet;
        for (var left = Quiet; left > TimeSpan.Zero; left = until - DateTimeOffset.UtcNow)
        {
            var frame = await gateway.TryReceiveDispatchAsync(left);
            if (frame is null)
            {
                return;
            }

            Assert.False(types.Contains(frame.T), $"unexpected {frame.T}: {frame.D}");
        }
    }
}
