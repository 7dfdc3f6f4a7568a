using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Presence;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Presence.PresenceWatch;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// Presence while one node cannot reach Redis: the node keeps serving the presence of its own connections (to its own
/// people and to the features that ask it), and when Redis comes back it republishes them, so the other nodes learn
/// what happened meanwhile and nobody went offline because of the outage alone.
/// </summary>
public sealed class PresenceOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, what);
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Reads PRESENCE_UPDATEs until the latest status of every user in <paramref name="expected"/> is the expected one;
    /// returns every status seen per user (to check that nobody went through offline on the way).
    /// </summary>
    private static async Task<Dictionary<string, List<string>>> SeesAsync(GatewayClient gateway, IReadOnlyDictionary<string, string> expected)
    {
        var seen = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + Patience;
        while (!expected.All(e => seen.TryGetValue(e.Key, out var statuses) && statuses[^1] == e.Value))
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            Assert.True(remaining > TimeSpan.Zero, $"expected {string.Join(", ", expected)}; saw {string.Join(", ", seen.Select(s => s.Key + ": " + string.Join(">", s.Value)))}");
            var frame = await gateway.TryReceiveDispatchAsync(remaining);
            if (frame?.T == GatewayEvents.PresenceUpdate)
            {
                var presence = frame.D!.Value.Deserialize(VoxoraJsonContext.Default.Presence)!;
                (seen.TryGetValue(presence.UserId, out var list) ? list : seen[presence.UserId] = []).Add(presence.Status);
            }
        }

        return seen;
    }

    [Fact]
    public async Task A_node_cut_off_from_Redis_keeps_serving_its_own_presence_and_republishes_it_when_Redis_returns()
    {
        await using var relay = RedisCutter.Start(ClusterNodes.RedisConfiguration);
        await using var cluster = await ClusterNodes.StartAsync(1, new Dictionary<string, string?> { ["PRESENCE:GRACE_SECONDS"] = "1" });
        // Node 2 reaches Redis through the relay (it is the one cut off); node 1 directly.
        var island = await cluster.AddNodeAsync(new Dictionary<string, string?> { ["REDIS:CONFIGURATION"] = relay.Configuration });
        var (aliceApi, _, community) = await cluster[0].NewCommunityAsync("Presence outage");
        var (carolApi, carol) = await cluster[0].NewMemberAsync(aliceApi, community.Id);
        var (bobApi, bob) = await island.NewMemberAsync(aliceApi, community.Id);
        var (daveApi, dave) = await island.NewMemberAsync(aliceApi, community.Id);
        var (erinApi, erin) = await island.NewMemberAsync(aliceApi, community.Id);
        await using var carolWatch = await WatchingAsync(cluster[0], carolApi, carol);
        await using var bobWatch = await WatchingAsync(island, bobApi, bob);
        var (erinGateway, _) = await IdentifyAsync(island, erinApi);
        await using var _erin = erinGateway;
        await SeesAsync(carolWatch.Gateway, new Dictionary<string, string> { [bob.Id] = PresenceStatuses.Online, [erin.Id] = PresenceStatuses.Online });
        await SeesAsync(bobWatch.Gateway, new Dictionary<string, string> { [erin.Id] = PresenceStatuses.Online });

        var islandRedis = island.Services.GetRequiredService<ClusterConnection>();
        relay.Cut();
        await UntilAsync(() => !islandRedis.IsHealthy, "the island never noticed that Redis is gone");

        // While Redis is away the island serves presence from its own connections: dave comes online, bob chooses do
        // not disturb, erin leaves (offline after the grace) — its own people see all of it at once.
        var (daveGateway, daveReady) = await IdentifyAsync(island, daveApi);
        await using var _dave = daveGateway;
        Assert.Contains(daveReady.Presences!, p => p.UserId == bob.Id && p.Status == PresenceStatuses.Online);
        await bobWatch.Gateway.SetPresenceAsync(PresenceStatuses.Dnd);
        await erinGateway.CloseAsync();
        var duringOutage = await SeesAsync(bobWatch.Gateway, new Dictionary<string, string>
        {
            [dave.Id] = PresenceStatuses.Online,
            [bob.Id] = PresenceStatuses.Dnd,
            [erin.Id] = PresenceStatuses.Offline,
        });
        Assert.DoesNotContain(PresenceStatuses.Offline, duringOutage[dave.Id]);

        // Features that ask the island's directory (Web Push: "is this person connected?") get its own knowledge.
        var islandDirectory = island.Services.GetRequiredService<PresenceDirectory>();
        Assert.True(await islandDirectory.IsConnectedAnywhereAsync(dave.Id).WaitAsync(TimeSpan.FromSeconds(2)));
        Assert.Equal(PresenceStatuses.Dnd, await islandDirectory.GetStatusAsync(bob.Id).WaitAsync(TimeSpan.FromSeconds(2)));
        Assert.False(await islandDirectory.IsConnectedAnywhereAsync(erin.Id).WaitAsync(TimeSpan.FromSeconds(2)));

        relay.Restore();
        await UntilAsync(() => islandRedis.IsHealthy, "the island never got Redis back");

        // The other node learns what happened meanwhile, and bob never looked offline to it.
        var afterOutage = await SeesAsync(carolWatch.Gateway, new Dictionary<string, string>
        {
            [dave.Id] = PresenceStatuses.Online,
            [bob.Id] = PresenceStatuses.Dnd,
            [erin.Id] = PresenceStatuses.Offline,
        });
        Assert.DoesNotContain(PresenceStatuses.Offline, afterOutage[bob.Id]);
        Assert.DoesNotContain(PresenceStatuses.Offline, afterOutage[dave.Id]);
        var directory = cluster[0].Services.GetRequiredService<PresenceDirectory>();
        Assert.True(await directory.IsConnectedAnywhereAsync(dave.Id));
        Assert.Equal(PresenceStatuses.Dnd, await directory.GetStatusAsync(bob.Id));
        Assert.False(await directory.IsConnectedAnywhereAsync(erin.Id));
        var (carolAgain, ready) = await IdentifyAsync(cluster[0], carolApi);
        await using var _carolAgain = carolAgain;
        Assert.Contains(ready.Presences!, p => p.UserId == dave.Id && p.Status == PresenceStatuses.Online);
        Assert.Contains(ready.Presences!, p => p.UserId == bob.Id && p.Status == PresenceStatuses.Dnd);
        Assert.DoesNotContain(ready.Presences!, p => p.UserId == erin.Id);

        // And the island hears the other node again: carol going invisible reaches bob.
        await carolWatch.Gateway.SetPresenceAsync(PresenceStatuses.Invisible);
        await carolAgain.CloseAsync();
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(bobWatch.Gateway, carol.Id, Patience));
    }
}
