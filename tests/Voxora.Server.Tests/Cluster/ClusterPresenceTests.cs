using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Voxora.Protocol;
using Voxora.Server.Features.Presence;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Presence.PresenceWatch;

namespace Voxora.Server.Tests.Cluster;

/// <summary>Presence on several nodes (one PostgreSQL, one Redis): a status set on one node is what every node shows.</summary>
public sealed class ClusterPresenceTests
{
    private static readonly Dictionary<string, string?> OneSecondGrace = new() { ["PRESENCE:GRACE_SECONDS"] = "1" };

    [Fact]
    public async Task A_status_set_on_one_node_reaches_people_on_another_and_ready_there_shows_it()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, OneSecondGrace);
        var (aliceApi, alice, community) = await cluster[0].NewCommunityAsync("Presence on two nodes");
        var (bobApi, bob) = await cluster[1].NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(cluster[0], aliceApi, alice);

        await using var bobWatch = await WatchingAsync(cluster[1], bobApi, bob);
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        await bobWatch.Gateway.SetPresenceAsync(PresenceStatuses.Dnd);
        Assert.Equal(PresenceStatuses.Dnd, await NextStatusAsync(aliceWatch.Gateway, bob.Id));

        // Every node answers for the whole cluster: the directory, READY and the presences list on node 1.
        var directory = cluster[0].Services.GetRequiredService<PresenceDirectory>();
        Assert.True(await directory.IsConnectedAnywhereAsync(bob.Id));
        Assert.Equal(PresenceStatuses.Dnd, await directory.GetStatusAsync(bob.Id));
        var (aliceAgain, ready) = await IdentifyAsync(cluster[0], aliceApi);
        await using var _again = aliceAgain;
        Assert.Contains(ready.Presences!, p => p.UserId == bob.Id && p.Status == PresenceStatuses.Dnd);
        Assert.Contains(await aliceApi.GetPresencesAsync(community.Id), p => p.UserId == bob.Id && p.Status == PresenceStatuses.Dnd);

        // A second connection on node 1 and the first one closing on node 2: no flicker, still dnd.
        var (bobOnFirst, _) = await IdentifyAsync(cluster[0], bobApi);
        await using var _bobOnFirst = bobOnFirst;
        await bobWatch.Gateway.CloseAsync();
        await AssertNoPresenceAsync(aliceWatch.Gateway, bob.Id, TimeSpan.FromSeconds(3));

        await bobOnFirst.CloseAsync();
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.False(await directory.IsConnectedAnywhereAsync(bob.Id));
    }

    [Fact]
    public async Task The_users_of_a_stopped_node_go_offline_after_the_grace_and_a_reconnect_elsewhere_within_it_announces_nothing()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, OneSecondGrace);
        var (aliceApi, alice, community) = await cluster[0].NewCommunityAsync("Node stops");
        var (bobApi, bob) = await cluster[1].NewMemberAsync(aliceApi, community.Id);
        var (carolApi, carol) = await cluster[1].NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(cluster[0], aliceApi, alice);
        var (bobGateway, _) = await IdentifyAsync(cluster[1], bobApi);
        await using var _bob = bobGateway;
        var (carolGateway, _) = await IdentifyAsync(cluster[1], carolApi);
        await using var _carol = carolGateway;
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, carol.Id));

        // Node 2 stops (drains): carol reconnects to node 1 at once, bob does not come back.
        var stopping = cluster[1].StopAsync();
        await carolGateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        var (carolBack, _) = await IdentifyAsync(cluster[0], carolApi);
        await using var _carolBack = carolBack;
        await stopping;

        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        await AssertNoPresenceAsync(aliceWatch.Gateway, carol.Id, TimeSpan.FromSeconds(2));
        Assert.True(await cluster[0].Services.GetRequiredService<PresenceDirectory>().IsConnectedAnywhereAsync(carol.Id));
    }

    [Fact]
    public async Task The_connections_of_a_node_that_died_are_given_up_when_its_liveness_lapses()
    {
        await using var cluster = await ClusterNodes.StartAsync(1, OneSecondGrace);
        var (aliceApi, alice, community) = await cluster[0].NewCommunityAsync("Node dies");
        var (_, bob) = await cluster[0].NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(cluster[0], aliceApi, alice);

        // A node that recorded bob's connection and was then killed: its store writes, then nothing renews it.
        var options = new ServerOptions { NodeId = 9 };
        options.Redis.Configuration = ClusterNodes.RedisConfiguration;
        options.Redis.Prefix = cluster.Prefix;
        await using var ghost = new ClusterConnection(options, NullLogger<ClusterConnection>.Instance);
        var ghostStore = new RedisPresenceStore(ghost, NullLogger<RedisPresenceStore>.Instance);
        await ghostStore.ConnectAsync(bob.Id, PresenceStatuses.Idle);
        var directory = cluster[0].Services.GetRequiredService<PresenceDirectory>();
        Assert.True(await directory.IsConnectedAnywhereAsync(bob.Id));
        Assert.Equal(PresenceStatuses.Idle, await directory.GetStatusAsync(bob.Id));

        // Its liveness key lapses (15 s after its last renewal; removed here to not wait for it).
        await ghost.Database.KeyDeleteAsync(ghost.Key("presence:alive:" + ghost.NodeName));
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id, TimeSpan.FromSeconds(15)));
        Assert.False(await directory.IsConnectedAnywhereAsync(bob.Id));
    }
}
