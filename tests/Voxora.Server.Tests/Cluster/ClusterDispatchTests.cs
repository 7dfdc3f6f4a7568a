using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Voxora.Protocol;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// Several nodes on one PostgreSQL and one Redis: what a person does through one node reaches the people connected to
/// the others, once each and in order.
/// </summary>
public sealed class ClusterDispatchTests
{
    [Fact]
    public async Task People_on_two_nodes_see_each_others_messages_edits_reactions_and_deletes()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Two nodes");
        var (memberApi, member) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var channel = community.TextChannel();

        await using var ownerGateway = await ConnectAsync(cluster[0], ownerApi, owner);
        await using var memberGateway = await ConnectAsync(cluster[1], memberApi, member);

        var sent = await ownerApi.SendMessageAsync(channel.Id, "hello from node 1");
        var created = await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        Assert.Equal(sent.Id, created.D!.Value.GetProperty("id").GetString());
        Assert.Equal(sent.Id, (await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)).D!.Value.GetProperty("id").GetString());

        var reply = await memberApi.SendMessageAsync(channel.Id, "hello back from node 2");
        Assert.Equal(reply.Id, (await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)).D!.Value.GetProperty("id").GetString());

        await ownerApi.EditMessageAsync(channel.Id, sent.Id, "edited on node 1");
        var updated = await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageUpdate);
        Assert.Equal("edited on node 1", updated.D!.Value.GetProperty("content").GetString());

        await memberApi.AddReactionAsync(channel.Id, sent.Id, "👍");
        await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageReactionAdd);

        await ownerApi.DeleteMessageAsync(channel.Id, reply.Id);
        var deleted = await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageDelete);
        Assert.Equal(reply.Id, deleted.D!.Value.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Three_nodes_deliver_every_message_once_and_in_the_order_they_were_sent()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Three nodes");
        var channel = community.TextChannel();
        var watchers = new List<GatewayPerson>();
        try
        {
            for (var node = 0; node < 3; node++)
            {
                var (api, user) = await cluster[node].NewMemberAsync(ownerApi, community.Id);
                watchers.Add(await ConnectAsync(cluster[node], api, user));
            }

            // One author, so "the order they were sent" is the order REST acknowledged them.
            var sent = new List<string>();
            for (var i = 0; i < 30; i++)
            {
                sent.Add((await ownerApi.SendMessageAsync(channel.Id, $"message {i}")).Id);
            }

            foreach (var watcher in watchers)
            {
                var received = new List<string>();
                while (received.Count < sent.Count)
                {
                    var frame = await watcher.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
                    received.Add(frame.D!.Value.GetProperty("id").GetString()!);
                }

                Assert.Equal(sent, received);
                // Exactly once: nothing more arrives after the last one.
                await AssertNothingArrivesAsync(watcher.Gateway);
            }
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_node_in_a_cluster_says_in_its_readiness_that_redis_answers()
    {
        await using var cluster = await ClusterNodes.StartAsync(1);
        using var http = new HttpClient { BaseAddress = cluster[0].BaseAddress };
        var report = await http.GetFromJsonAsync<HealthReport>("health/ready", VoxoraJsonContext.Default.HealthReport);
        Assert.Equal("ok", report!.Status);
        Assert.Equal("ok", report.Checks!["redis"]);
    }

    [Fact]
    public async Task A_second_live_node_with_the_same_node_id_is_refused_at_start()
    {
        await using var cluster = await ClusterNodes.StartAsync(1);
        // Node ids are inside every Snowflake id: two live nodes sharing one would make colliding message ids.
        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() => cluster.AddNodeAsync(new Dictionary<string, string?> { ["NODE_ID"] = "1" }));
        Assert.Contains("VOXORA_NODE_ID 1", error.Message, StringComparison.Ordinal);

        // A node stopped gracefully gives its id back at once: a replacement with the same id starts.
        await cluster[0].StopAsync();
        var replacement = await cluster.AddNodeAsync(new Dictionary<string, string?> { ["NODE_ID"] = "1" });
        using var http = new HttpClient { BaseAddress = replacement.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready")).StatusCode);
    }

    [Fact]
    public async Task Redis_with_SQLite_is_a_configuration_error_naming_both_settings()
    {
        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() =>
            TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { ["REDIS:CONFIGURATION"] = "127.0.0.1:1" }));
        Assert.Contains("VOXORA_REDIS__CONFIGURATION", error.Message, StringComparison.Ordinal);
        Assert.Contains("VOXORA_DATABASE__PROVIDER=postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_process_refuses_redis_with_sqlite_in_one_line_and_exit_code_2()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Voxora.Server.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["VOXORA_REDIS__CONFIGURATION"] = "127.0.0.1:1";
        start.Environment["VOXORA_URLS"] = "http://127.0.0.1:0";
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("SQLite", line, StringComparison.Ordinal);
    }
}
