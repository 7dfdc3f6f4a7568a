using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// Limits hold for the cluster, not per node: requests that alternate between two nodes (from one address, as behind a
/// load balancer) meet the configured number exactly once. Each test would pass the limit without Redis sharing the
/// counts, because every node alone stays under it.
/// </summary>
public sealed class SharedLimitsTests
{
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    /// <summary>Two nodes behind one public URL (ClusterNodes' default), so one person's tokens work on both.</summary>
    private static Task<ClusterNodes> StartAsync(Dictionary<string, string?>? overrides = null) => ClusterNodes.StartAsync(2, overrides);

    /// <summary>The same person (same tokens) talking to another node.</summary>
    private static VoxoraClient On(TestServer node, VoxoraClient signedIn) => new(node.BaseAddress) { AccessToken = signedIn.AccessToken };

    [Fact]
    public async Task A_rate_limit_of_n_a_minute_is_n_for_the_cluster()
    {
        await using var cluster = await StartAsync(new Dictionary<string, string?>
        {
            ["RATELIMITING:AUTH_PER_MINUTE"] = "6",
            ["RATELIMITING:USER_PER_MINUTE"] = "5",
        });

        // Auth routes, per address: register and login (2) on node 1, then four wrong logins alternating (6 in all).
        var (alice, _, _) = await cluster[0].NewUserAsync("alice");
        using var _a = alice;
        using var anonymous0 = cluster[0].NewClient();
        using var anonymous1 = cluster[1].NewClient();
        for (var i = 0; i < 4; i++)
        {
            var client = i % 2 == 0 ? anonymous1 : anonymous0;
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => client.LoginAsync("nobody" + i, "wrong password"));
        }

        // Node 2 has seen only two of them, yet the seventh is refused there, and on node 1.
        var limited = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => anonymous1.LoginAsync("nobody", "wrong password"));
        Assert.True(int.Parse(limited.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => anonymous0.LoginAsync("nobody", "wrong password"));

        // Signed-in routes, per user: five calls split 3 + 2 between the nodes, the sixth is refused on either.
        using var aliceOn1 = On(cluster[1], alice);
        for (var i = 0; i < 5; i++)
        {
            await (i % 2 == 0 ? alice : aliceOn1).GetMeAsync();
        }

        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => aliceOn1.GetMeAsync());
        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => alice.GetMeAsync());
    }

    [Fact]
    public async Task Failed_logins_on_one_node_back_off_the_account_on_the_other()
    {
        await using var cluster = await StartAsync(new Dictionary<string, string?> { ["AUTH:ACCOUNT_FREE_FAILURES"] = "3" });
        var (victim, user, password) = await cluster[0].NewUserAsync("victim");
        using var _v = victim;
        using var attacker0 = cluster[0].NewClient();
        using var attacker1 = cluster[1].NewClient();

        // Four wrong passwords, two per node: each node alone is within the three free failures.
        for (var i = 0; i < 4; i++)
        {
            var attacker = i % 2 == 0 ? attacker0 : attacker1;
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => attacker.LoginAsync(user.Username, "guess-" + i));
        }

        var blocked = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => attacker1.LoginAsync(user.Username, password));
        Assert.True(int.Parse(blocked.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => attacker0.LoginAsync(user.Username, password));

        // The wait ends on every node, and the right password then works.
        await Task.Delay(TimeSpan.FromSeconds(int.Parse(blocked.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) + 0.2));
        await attacker1.LoginAsync(user.Username, password);
    }

    [Fact]
    public async Task A_nonce_enforced_on_one_node_returns_the_first_message_on_the_other()
    {
        await using var cluster = await StartAsync();
        var (owner, _, community) = await cluster[0].NewCommunityAsync("Nonces");
        using var _o = owner;
        using var ownerOn1 = On(cluster[1], owner);
        var channel = community.TextChannel().Id;

        var first = await owner.SendMessageAsync(channel, "only once", nonce: "retry-1", enforceNonce: true);
        var retried = await ownerOn1.SendMessageAsync(channel, "only once", nonce: "retry-1", enforceNonce: true);
        Assert.Equal(first.Id, retried.Id);
        Assert.Equal("only once", retried.Content);
        Assert.Equal("retry-1", retried.Nonce);

        // Simultaneous repeats on both nodes: one message, every answer names it.
        var racing = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            (i % 2 == 0 ? owner : ownerOn1).SendMessageAsync(channel, "burst", nonce: "retry-2", enforceNonce: true)));
        Assert.Single(racing.Select(m => m.Id).Distinct());

        // Without enforce_nonce the same nonce is a new message, on any node.
        var plain = await ownerOn1.SendMessageAsync(channel, "not enforced", nonce: "retry-1");
        Assert.NotEqual(first.Id, plain.Id);

        var history = await owner.GetMessagesAsync(channel);
        Assert.Equal(3, history.Count);
        Assert.Single(history, m => m.Content == "only once");
        Assert.Single(history, m => m.Content == "burst");
    }

    [Fact]
    public async Task Gateway_connection_caps_count_connections_on_every_node()
    {
        await using var cluster = await StartAsync(new Dictionary<string, string?>
        {
            ["GATEWAY:MAX_CONNECTIONS_PER_USER"] = "2",
            ["GATEWAY:MAX_CONNECTIONS_PER_ADDRESS"] = "3",
        });
        var (client, _, _) = await cluster[0].NewUserAsync("many");
        using var _c = client;
        var open = new List<GatewayClient>();
        try
        {
            // One identified connection on each node: the user's cap of two is reached for the cluster.
            open.Add(await IdentifiedAsync(cluster[0], client.AccessToken!));
            open.Add(await IdentifiedAsync(cluster[1], client.AccessToken!));

            // Node 1 holds only one of them, yet refuses a third.
            await using (var third = await GatewayClient.ConnectAsync(cluster[0].BaseAddress))
            {
                await third.SendAsync(GatewayOp.Identify, new IdentifyPayload(client.AccessToken), VoxoraJsonContext.Default.IdentifyPayload);
                Assert.Equal(GatewayCloseCodes.TooManyConnections, await ClosedWith(third));
            }

            // Connections per address: a third socket (once the refused one's place is free) fills the cap of three…
            open.Add(await ConnectWhenFreeAsync(cluster[1]));

            // …so a fourth is refused at the upgrade on node 1, which holds one of the three.
            await Assert.ThrowsAsync<WebSocketException>(() => GatewayClient.ConnectAsync(cluster[0].BaseAddress));

            // Closing a connection on node 2 frees a place that node 1 can give out.
            await open[1].CloseAsync();
            await open[1].DisposeAsync();
            open.RemoveAt(1);
            open.Add(await ConnectWhenFreeAsync(cluster[0]));
            await open[^1].IdentifyAsync(client.AccessToken!);
        }
        finally
        {
            foreach (var gateway in open)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task With_Redis_cut_off_a_node_keeps_its_own_limits_neither_refusing_all_nor_lifting_them()
    {
        await using var proxy = RedisCutter.Start(ClusterNodes.RedisConfiguration);
        await using var cluster = await ClusterNodes.StartAsync(1, new Dictionary<string, string?>
        {
            ["REDIS:CONFIGURATION"] = proxy.Configuration,
            ["RATELIMITING:USER_PER_MINUTE"] = "5",
        });
        var (owner, _, community) = await cluster[0].NewCommunityAsync("Redis cut");
        using var _o = owner;
        var channel = community.TextChannel().Id;

        proxy.Cut();
        var redis = cluster[0].Services.GetRequiredService<ClusterConnection>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (redis.IsHealthy && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(redis.IsHealthy);

        // Counted on the node from here on: five requests pass, the sixth is refused, and enforce_nonce still holds.
        var first = await owner.SendMessageAsync(channel, "only once", nonce: "retry-1", enforceNonce: true);
        Assert.Equal(first.Id, (await owner.SendMessageAsync(channel, "only once", nonce: "retry-1", enforceNonce: true)).Id);
        for (var i = 0; i < 3; i++)
        {
            await owner.GetMeAsync();
        }

        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => owner.GetMeAsync());
    }

    private static async Task<GatewayClient> IdentifiedAsync(TestServer node, string token)
    {
        var gateway = await GatewayClient.ConnectAsync(node.BaseAddress);
        await gateway.IdentifyAsync(token);
        return gateway;
    }

    /// <summary>Connects, retrying while the place of a connection that just closed is still being given back.</summary>
    private static async Task<GatewayClient> ConnectWhenFreeAsync(TestServer node)
    {
        var deadline = DateTimeOffset.UtcNow + CloseWait;
        while (true)
        {
            try
            {
                return await GatewayClient.ConnectAsync(node.BaseAddress);
            }
            catch (WebSocketException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<int?> ClosedWith(GatewayClient gateway)
    {
        var finished = await Task.WhenAny(gateway.Closed, Task.Delay(CloseWait));
        Assert.True(finished == gateway.Closed, "the server did not close the connection");
        return (int?)(await gateway.Closed).Status;
    }
}
