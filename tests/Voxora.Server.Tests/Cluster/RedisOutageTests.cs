using System.Net;
using System.Net.Http.Json;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// Redis down: a node says so in /health/ready, keeps serving its own people (REST and its own gateway clients), and
/// recovers by itself when Redis returns, cross-node events included.
/// </summary>
public sealed class RedisOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static async Task<HealthReport> ReadinessAsync(TestServer node)
    {
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        using var response = await http.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(VoxoraJsonContext.Default.HealthReport))!;
    }

    private static async Task<HealthReport> ReadinessBecomesAsync(TestServer node, string redis)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var report = await ReadinessAsync(node);
            if (report.Checks!["redis"] == redis || DateTimeOffset.UtcNow > deadline)
            {
                return report;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Sends messages until one reaches the watcher (the bus may need a moment after a reconnect).</summary>
    private static async Task MessagesFlowAsync(Voxora.Client.VoxoraClient sender, string channelId, Voxora.Client.GatewayClient watcher)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (true)
        {
            var sent = await sender.SendMessageAsync(channelId, "are you there?");
            var frame = await watcher.TryReceiveDispatchAsync(TimeSpan.FromSeconds(1));
            while (frame is not null)
            {
                if (frame.T == GatewayEvents.MessageCreate && frame.D!.Value.GetProperty("id").GetString() == sent.Id)
                {
                    return;
                }

                frame = await watcher.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(300));
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "messages never flowed between the nodes again");
        }
    }

    [Fact]
    public async Task A_node_that_loses_Redis_says_so_serves_its_own_people_and_rejoins_the_cluster_when_Redis_returns()
    {
        await using var relay = RedisCutter.Start(ClusterNodes.RedisConfiguration);
        await using var cluster = await ClusterNodes.StartAsync(1);
        // Node 2 reaches Redis through the relay; node 1 directly.
        await cluster.AddNodeAsync(new Dictionary<string, string?> { ["REDIS:CONFIGURATION"] = relay.Configuration });
        var (ownerApi, owner, community) = await cluster[1].NewCommunityAsync("Outage");
        var (memberApi, member) = await cluster[0].NewMemberAsync(ownerApi, community.Id);
        var channel = community.TextChannel().Id;
        await using var ownerGateway = await ConnectAsync(cluster[1], ownerApi, owner);
        await using var memberGateway = await ConnectAsync(cluster[0], memberApi, member);
        Assert.Equal("ok", (await ReadinessAsync(cluster[1])).Checks!["redis"]);

        relay.Cut();
        var down = await ReadinessBecomesAsync(cluster[1], "unreachable");
        Assert.Equal("unreachable", down.Checks!["redis"]);
        Assert.Equal("degraded", down.Status);
        Assert.Equal("ok", down.Checks["database"]);

        // The cut-off node keeps serving its own people: REST works and its own gateway client gets the event.
        var local = await ownerApi.SendMessageAsync(channel, "said while Redis is away");
        var created = await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        Assert.Equal(local.Id, created.D!.Value.GetProperty("id").GetString());
        // Nothing acknowledged is lost: the other node reads it from the database.
        Assert.Contains(await memberApi.GetMessagesAsync(channel), m => m.Id == local.Id);

        relay.Restore();
        var up = await ReadinessBecomesAsync(cluster[1], "ok");
        Assert.Equal("ok", up.Status);

        // Events cross between the nodes again, both ways, without restarting anything.
        await MessagesFlowAsync(ownerApi, channel, memberGateway.Gateway);
        await MessagesFlowAsync(memberApi, channel, ownerGateway.Gateway);
    }

    [Fact]
    public async Task A_node_started_while_Redis_is_unreachable_starts_and_joins_the_cluster_when_Redis_answers()
    {
        await using var relay = RedisCutter.Start(ClusterNodes.RedisConfiguration);
        relay.Cut();
        await using var cluster = await ClusterNodes.StartAsync(1);
        var late = await cluster.AddNodeAsync(new Dictionary<string, string?> { ["REDIS:CONFIGURATION"] = relay.Configuration });
        Assert.Equal("unreachable", (await ReadinessAsync(late)).Checks!["redis"]);

        // It serves while Redis is away.
        var (ownerApi, owner, community) = await late.NewCommunityAsync("Late starter");
        var (memberApi, member) = await cluster[0].NewMemberAsync(ownerApi, community.Id);
        var channel = community.TextChannel().Id;

        relay.Restore();
        Assert.Equal("ok", (await ReadinessBecomesAsync(late, "ok")).Checks!["redis"]);
        await using var ownerGateway = await ConnectAsync(late, ownerApi, owner);
        await using var memberGateway = await ConnectAsync(cluster[0], memberApi, member);
        await MessagesFlowAsync(memberApi, channel, ownerGateway.Gateway);
        await MessagesFlowAsync(ownerApi, channel, memberGateway.Gateway);
    }
}
