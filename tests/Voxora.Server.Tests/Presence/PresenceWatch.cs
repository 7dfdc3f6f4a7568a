using System.Text.Json;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Presence;

/// <summary>Watching PRESENCE_UPDATE on a gateway connection that asked for them.</summary>
public static class PresenceWatch
{
    /// <summary>Signs in a fresh user's connection that receives PRESENCE_UPDATE (optionally identifying with a status).</summary>
    public static async Task<GatewayPerson> WatchingAsync(TestServer server, VoxoraClient api, User user, string? status = null)
    {
        var gateway = await GatewayClient.ConnectAsync(server.BaseAddress, receivePresence: true);
        await gateway.IdentifyAsync(api.AccessToken!, presence: status);
        return new GatewayPerson(api, user, gateway);
    }

    /// <summary>Identifies and returns READY too.</summary>
    public static async Task<(GatewayClient Gateway, ReadyPayload Ready)> IdentifyAsync(TestServer server, VoxoraClient api, string? status = null)
    {
        var gateway = await GatewayClient.ConnectAsync(server.BaseAddress, receivePresence: true);
        var ready = await gateway.IdentifyAsync(api.AccessToken!, presence: status);
        return (gateway, ready);
    }

    /// <summary>The status of the next PRESENCE_UPDATE about <paramref name="userId"/> (others are skipped).</summary>
    public static async Task<string> NextStatusAsync(GatewayClient gateway, string userId, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            var frame = await gateway.WaitForDispatchAsync(GatewayEvents.PresenceUpdate, remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            var presence = frame.D!.Value.Deserialize(VoxoraJsonContext.Default.Presence)!;
            Assert.Empty(presence.Activities);
            if (presence.UserId == userId)
            {
                return presence.Status;
            }
        }
    }

    /// <summary>Fails when any PRESENCE_UPDATE about <paramref name="userId"/> (null: about anyone) arrives within <paramref name="quiet"/>.</summary>
    public static async Task AssertNoPresenceAsync(GatewayClient gateway, string? userId, TimeSpan quiet)
    {
        var deadline = DateTimeOffset.UtcNow + quiet;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var frame = await gateway.TryReceiveDispatchAsync(deadline - DateTimeOffset.UtcNow);
            if (frame is null)
            {
                return;
            }

            if (frame.T == GatewayEvents.PresenceUpdate)
            {
                var presence = frame.D!.Value.Deserialize(VoxoraJsonContext.Default.Presence)!;
                Assert.True(userId is not null && presence.UserId != userId, $"unexpected PRESENCE_UPDATE {frame.D}");
            }
        }
    }
}
