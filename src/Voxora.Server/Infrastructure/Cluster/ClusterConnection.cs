using StackExchange.Redis;

namespace Voxora.Server.Infrastructure.Cluster;

/// <summary>
/// This node's link to the cluster: the one shared Redis connection (null on a single node) and the names of the
/// keys and channels the cluster uses. Connecting never fails the start: with Redis unreachable the node starts,
/// says so in <c>/health/ready</c> and the log, and StackExchange.Redis keeps reconnecting in the background.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly ILogger<ClusterConnection> logger;

    public ClusterConnection(ServerOptions options, ILogger<ClusterConnection> logger)
    {
        this.logger = logger;
        Prefix = options.Redis.Prefix;
        // A random suffix: a node restarted with the same VOXORA_NODE_ID is a different member of the bus.
        NodeName = options.NodeId + "-" + Guid.NewGuid().ToString("N")[..8];
        if (!options.Redis.Enabled)
        {
            return;
        }

        var configuration = ConfigurationOptions.Parse(options.Redis.Configuration!);
        // Start even when Redis is down and keep retrying: a node that refuses to start because Redis blinked
        // turns a short Redis outage into a full one.
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "voxora-" + NodeName;
        var multiplexer = ConnectionMultiplexer.Connect(configuration);
        if (!multiplexer.IsConnected)
        {
            logger.LogWarning("Redis ({Endpoints}) is not reachable yet; the node starts and keeps retrying", string.Join(", ", configuration.EndPoints));
        }

        multiplexer.ConnectionFailed += (_, e) =>
            logger.LogWarning("Redis connection lost ({FailureType}, {Endpoint}): cross-node events, shared limits and shared state are unavailable until it returns", e.FailureType, e.EndPoint);
        multiplexer.ConnectionRestored += (_, e) =>
            logger.LogWarning("Redis connection restored ({Endpoint})", e.EndPoint);
        Multiplexer = multiplexer;
    }

    /// <summary>Null when Redis is not configured (one node).</summary>
    public IConnectionMultiplexer? Multiplexer { get; }

    public bool Enabled => Multiplexer is not null;

    /// <summary>True on a single node, or while Redis answers.</summary>
    public bool IsHealthy => Multiplexer is null || Multiplexer.IsConnected;

    public string Prefix { get; }

    /// <summary>This process's name on the bus (unique per start).</summary>
    public string NodeName { get; }

    /// <summary>A key or channel name of this cluster: <c>{prefix}:{name}</c>.</summary>
    public string Name(string name) => Prefix + ":" + name;

    public RedisKey Key(string name) => new(Name(name));

    public RedisChannel Channel(string name) => RedisChannel.Literal(Name(name));

    public IDatabase Database => Multiplexer?.GetDatabase() ?? throw new InvalidOperationException("Redis is not configured on this node.");

    public async ValueTask DisposeAsync()
    {
        if (Multiplexer is not null)
        {
            await Multiplexer.CloseAsync();
            Multiplexer.Dispose();
            logger.LogDebug("Redis connection closed");
        }
    }
}
