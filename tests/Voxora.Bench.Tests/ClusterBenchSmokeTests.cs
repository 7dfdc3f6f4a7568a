using Voxora.Bench;

namespace Voxora.Bench.Tests;

/// <summary>
/// The bench's cluster path, end to end as the command line runs it: real server processes (this build's
/// Voxora.Server.dll) on one PostgreSQL database and the test Redis (<c>VOXORA_TEST_POSTGRES</c>, <c>VOXORA_TEST_REDIS</c>,
/// which scripts/test.sh exports). Tiny sizes, correctness only, never timings.
/// </summary>
public sealed class ClusterBenchSmokeTests
{
    public const string RedisVariable = "VOXORA_TEST_REDIS";

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The bench's cluster smoke tests need {variable}; run them through scripts/test.sh.");

    /// <summary>The server build next to this test build (same configuration), with the migrations copied beside it.</summary>
    private static string ServerDll()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Voxora.slnx")))
            {
                return Path.Combine(dir.FullName, "src", "Voxora.Server", "bin", configuration, "net10.0", "Voxora.Server.dll");
            }
        }

        throw new InvalidOperationException("repository root (Voxora.slnx) not found above " + AppContext.BaseDirectory);
    }

    private static BenchOptions Options(params string[] args) =>
        BenchOptions.Parse([.. args, "--provider", "postgres", "--pg", Required(BenchServerFixture.PostgresVariable), "--server-dll", ServerDll()]);

    private static Task<List<ScenarioResult>> RunAsync(params string[] args) =>
        Bench.RunAsync(Options(args), CancellationToken.None).WaitAsync(Limit);

    [Fact]
    public async Task Two_node_fanout_delivers_every_message_once_to_receivers_on_both_nodes()
    {
        // Receiver i is on node i mod 2 and message n is posted to node n mod 2: every receiver gets messages posted on
        // the other node, which only the Redis bus can bring, so a broken cluster path shows as lost deliveries.
        var runs = await RunAsync("fanout", "--nodes", "2", "--redis", Required(RedisVariable),
            "--receivers", "6", "--users", "3", "--senders", "2", "--rate", "20", "--duration", "2", "--warmup", "0.5");
        var result = Assert.Single(runs);
        Assert.True(result.Ok, string.Join("; ", result.Failures));
        Assert.Equal("2", result.Parameters["nodes"]);
        Assert.Equal(0, result.Get("lost"));
        Assert.Equal(0, result.Get("duplicated"));
        Assert.Equal(40 * 6, result.Get("deliveries"));
        Assert.Equal(0, result.Get("post_errors"));
    }

    [Fact]
    public async Task One_node_with_its_bus_on_redis_is_on_redis_and_sends()
    {
        // --redis with one node is the bus-cost measurement: the node must really be on Redis, not on the in-process bus.
        var options = Options("send", "--redis", Required(RedisVariable), "--rate", "20", "--duration", "1", "--warmup", "0", "--users", "2");
        await using var target = await BenchTarget.StartAsync(options, CancellationToken.None).WaitAsync(Limit);
        Assert.Single(target.NodeAddresses);
        using (var http = new HttpClient { BaseAddress = target.BaseAddress })
        {
            var health = await http.GetStringAsync(new Uri("health/ready", UriKind.Relative));
            Assert.Contains("\"redis\":\"ok\"", health, StringComparison.Ordinal);
        }

        using var world = await BenchWorld.CreateAsync(target, CancellationToken.None);
        var result = await Bench.RunScenarioAsync(world, options, CancellationToken.None).WaitAsync(Limit);
        Assert.True(result.Ok, string.Join("; ", result.Failures));
        Assert.Equal("1", result.Parameters["nodes"]);
        Assert.Equal(20, result.Get("messages"));
    }

    [Fact]
    public void Several_nodes_or_redis_need_postgres()
    {
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["fanout", "--nodes", "2"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["send", "--redis", "127.0.0.1:6379"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["fanout", "--nodes", "2", "--provider", "postgres", "--url", "http://127.0.0.1:1"]));
        Assert.True(BenchOptions.Parse(["fanout", "--nodes", "2", "--provider", "postgres"]).Clustered);
        Assert.False(BenchOptions.Parse(["fanout", "--provider", "postgres"]).Clustered);
    }
}
