using System.Security.Cryptography;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// The multi-node process suite: real <c>Voxora.Server</c> processes on one PostgreSQL and one Redis. A node killed
/// with <c>kill -9</c> under traffic loses no message that REST acknowledged, and its clients continue on the survivor.
/// </summary>
public sealed class NodeFailureTests
{
    [Fact]
    public async Task Killing_a_node_under_traffic_loses_no_acknowledged_message_and_its_clients_continue_on_the_survivor()
    {
        var (connectionString, database) = await TestServer.CreatePostgresDatabaseAsync();
        var shared = new Dictionary<string, string?>
        {
            ["REDIS:CONFIGURATION"] = ClusterNodes.RedisConfiguration,
            ["REDIS:PREFIX"] = "vxt" + Guid.NewGuid().ToString("N")[..10],
            ["AUDIT:KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // Behind the load balancer both nodes have one public URL, hence one token issuer.
            ["AUTH:ISSUER"] = "http://voxora.cluster.test",
        };
        ServerProcess? doomed = null;
        ServerProcess? survivor = null;
        try
        {
            doomed = await ServerProcess.StartAsync(connectionString, new Dictionary<string, string?>(shared) { ["NODE_ID"] = "1" });
            survivor = await ServerProcess.StartAsync(connectionString, new Dictionary<string, string?>(shared) { ["NODE_ID"] = "2" });
            await RunAsync(doomed, survivor);
        }
        finally
        {
            if (doomed is not null) await doomed.DisposeAsync();
            if (survivor is not null) await survivor.DisposeAsync();
            await TestServer.DropPostgresDatabaseAsync(database);
        }
    }

    private static async Task RunAsync(ServerProcess doomed, ServerProcess survivor)
    {
        const string password = "correct horse battery";
        async Task<(VoxoraClient Api, User User)> SignUpAsync(ServerProcess node, string prefix)
        {
            var api = new VoxoraClient(node.BaseAddress);
            var name = $"{prefix}{Random.Shared.Next(100_000, 999_999)}";
            var user = await api.RegisterAsync(name, password);
            await api.LoginAsync(name, password);
            return (api, user);
        }

        var (owner, ownerUser) = await SignUpAsync(survivor, "own");
        using var _o = owner;
        var community = await owner.CreateCommunityAsync("Kill -9");
        var channel = community.TextChannel();
        var invite = await owner.CreateInviteAsync(community.Id);
        // The same author through both nodes (a login on each), alternately: what a load balancer does.
        using var ownerOnDoomed = new VoxoraClient(doomed.BaseAddress);
        await ownerOnDoomed.LoginAsync(ownerUser.Username, password);

        var (leaving, _) = await SignUpAsync(doomed, "cli");
        using var _l = leaving;
        await leaving.AcceptInviteAsync(invite.Code);
        var (staying, _) = await SignUpAsync(survivor, "cli");
        using var _s = staying;
        await staying.AcceptInviteAsync(invite.Code);

        var onDoomed = await GatewayClient.ConnectAsync(doomed.BaseAddress);
        var ready = await onDoomed.IdentifyAsync(leaving.AccessToken!);
        await using var onSurvivor = await GatewayClient.ConnectAsync(survivor.BaseAddress);
        await onSurvivor.IdentifyAsync(staying.AccessToken!);

        var acknowledged = new List<string>();
        using var stopSending = new CancellationTokenSource();
        var sender = Task.Run(async () =>
        {
            for (var i = 0; !stopSending.IsCancellationRequested; i++)
            {
                try
                {
                    var sent = await (i % 2 == 0 ? ownerOnDoomed : owner).SendMessageAsync(channel.Id, $"under traffic {i}");
                    lock (acknowledged)
                    {
                        acknowledged.Add(sent.Id);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or VoxoraApiException or TaskCanceledException)
                {
                    // Refused or cut off by the kill: not acknowledged, so not promised.
                }
            }
        });

        await WaitForAsync(() => Count(acknowledged) >= 20, "traffic through both nodes");
        var beforeKill = Count(acknowledged);
        doomed.Kill();
        await WaitForAsync(() => Count(acknowledged) >= beforeKill + 20, "traffic after the kill");
        await stopSending.CancelAsync();
        await sender;

        // The killed node's client loses its socket, comes back through the load balancer to the survivor and is
        // told to start over (or resumed): then it receives live events again.
        await onDoomed.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await onDoomed.DisposeAsync();
        await using var back = await GatewayClient.ConnectAsync(survivor.BaseAddress);
        await back.ResumeAsync(ready.SessionId, leaving.AccessToken!, onDoomed.LastSeq);
        var answer = await back.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.True(answer.Op == GatewayOp.Reconnect || answer.T == GatewayEvents.Resumed, $"op {answer.Op} {answer.T}");
        if (answer.Op == GatewayOp.Reconnect)
        {
            await back.IdentifyAsync(leaving.AccessToken!);
        }

        var live = await owner.SendMessageAsync(channel.Id, "after the failover");
        Assert.Equal(live.Id, (await back.WaitForDispatchAsync(GatewayEvents.MessageCreate)).D!.Value.GetProperty("id").GetString());
        Assert.Equal(live.Id, (await LastMessageCreateAsync(onSurvivor, live.Id)));

        // Every acknowledged message is stored, whichever node acknowledged it.
        var stored = new HashSet<string>(StringComparer.Ordinal);
        string? before = null;
        while (true)
        {
            var page = await staying.GetMessagesAsync(channel.Id, before: before, limit: 100);
            stored.UnionWith(page.Select(m => m.Id));
            if (page.Count < 100)
            {
                break;
            }

            before = page[^1].Id;
        }

        var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged messages are missing");
    }

    private static async Task<string> LastMessageCreateAsync(GatewayClient gateway, string id)
    {
        while (true)
        {
            var frame = await gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
            if (frame.D!.Value.GetProperty("id").GetString() == id)
            {
                return id;
            }
        }
    }

    private static int Count(List<string> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited in vain for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
