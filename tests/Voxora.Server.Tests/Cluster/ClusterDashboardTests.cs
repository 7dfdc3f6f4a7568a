using StackExchange.Redis;
using Voxora.Client;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Cluster;

/// <summary>The admin dashboard of a cluster: "connected now" counts the gateway connections of every live node.</summary>
public sealed class ClusterDashboardTests
{
    private static async Task<(int Connections, int Nodes)> EventuallyAsync(VoxoraClient admin, (int, int) expected)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var dashboard = await admin.GetPodDashboardAsync();
            var seen = (dashboard.GatewayConnections, dashboard.GatewayNodes);
            if (seen == expected || DateTimeOffset.UtcNow > deadline)
            {
                return seen;
            }

            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Connections_on_every_node_are_counted_and_a_stopped_or_dead_nodes_are_not()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (owner, _, _) = await cluster[0].NewUserAsync("owner");
        using var _o = owner;
        var (guest, _, _) = await cluster[1].NewUserAsync("guest");
        using var _g = guest;
        Assert.Equal((0, 2), await EventuallyAsync(owner, (0, 2)));

        await using var ownerGateway = await GatewayClient.ConnectAsync(cluster[0].BaseAddress);
        await ownerGateway.IdentifyAsync(owner.AccessToken!);
        await using var guestGateway = await GatewayClient.ConnectAsync(cluster[1].BaseAddress);
        await guestGateway.IdentifyAsync(guest.AccessToken!);
        Assert.Equal((2, 2), await EventuallyAsync(owner, (2, 2)));

        // A node that died without a word (its count is old) is left out and forgotten; a live one that counted just now is in.
        using var redis = await ConnectionMultiplexer.ConnectAsync(ClusterNodes.RedisConfiguration);
        var key = new RedisKey($"{cluster.Prefix}:gateway-connections");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await redis.GetDatabase().HashSetAsync(key, [new("dead-node", $"7:{now - 60_000}"), new("garbled-node", "many")]);
        var dashboard = await owner.GetPodDashboardAsync();
        Assert.Equal((2, 2), (dashboard.GatewayConnections, dashboard.GatewayNodes));
        Assert.False(await redis.GetDatabase().HashExistsAsync(key, "dead-node"));
        Assert.False(await redis.GetDatabase().HashExistsAsync(key, "garbled-node"));

        // A node that stops takes its count out at once (its people were dropped anyway).
        await cluster[1].StopAsync();
        dashboard = await owner.GetPodDashboardAsync();
        Assert.Equal((1, 1), (dashboard.GatewayConnections, dashboard.GatewayNodes));
    }
}
