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
}
