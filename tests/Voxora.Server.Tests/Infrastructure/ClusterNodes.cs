using System.Security.Cryptography;

namespace Voxora.Server.Tests.Infrastructure;

/// <summary>
/// Several real Voxora nodes in this process, each with its own container, caches, gateway and data folder, sharing one
/// fresh PostgreSQL database and the test Redis (scripts/test.sh starts both) under a Redis prefix of their own, so
/// clusters of different tests never hear each other. Disposing stops every node and drops the database.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    public const string RedisVariable = "VOXORA_TEST_REDIS";

    private readonly List<TestServer> nodes = [];
    private readonly string database;
    private readonly IReadOnlyDictionary<string, string?> shared;

    private ClusterNodes(string connectionString, string database, IReadOnlyDictionary<string, string?> shared)
    {
        ConnectionString = connectionString;
        this.database = database;
        this.shared = shared;
    }

    public string ConnectionString { get; }

    /// <summary>The Redis key and channel prefix of this cluster.</summary>
    public string Prefix => shared["REDIS:PREFIX"]!;

    public IReadOnlyList<TestServer> Nodes => nodes;

    public TestServer this[int index] => nodes[index];

    public static string RedisConfiguration =>
        Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Cluster tests need {RedisVariable} (host:port of a Redis). Run them through scripts/test.sh, which starts a throwaway redis-server.");

    /// <summary>Starts <paramref name="count"/> nodes one after another (the first applies the migrations).</summary>
    public static async Task<ClusterNodes> StartAsync(int count, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var (connectionString, database) = await TestServer.CreatePostgresDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["REDIS:CONFIGURATION"] = RedisConfiguration,
            ["REDIS:PREFIX"] = "vxt" + Guid.NewGuid().ToString("N")[..10],
            // One audit key for the cluster, as a real deployment has: every node verifies every node's entries.
            ["AUDIT:KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // One public URL (the load balancer's) is the token issuer of every node, so a token from one node is
            // accepted by all, as behind a real load balancer.
            ["PUBLIC_URL"] = "http://chat.cluster.test",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var cluster = new ClusterNodes(connectionString, database, settings);
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.AddNodeAsync();
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts one more node (node id = its position + 1).</summary>
    public async Task<TestServer> AddNodeAsync(IReadOnlyDictionary<string, string?>? overrides = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>(shared) { ["NODE_ID"] = (nodes.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var node = await TestServer.StartAsync(Provider.Postgres, settings, reuseConnectionString: ConnectionString, services: services);
        nodes.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            try
            {
                await node.DisposeAsync();
            }
            catch (ObjectDisposedException)
            {
                // A test stopped it already.
            }
        }

        await TestServer.DropPostgresDatabaseAsync(database);
    }
}
