using System.Globalization;
using StackExchange.Redis;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Gateway;

/// <summary>
/// How many people are connected to the gateway on the whole pod, for the admin dashboard. Each node counts its attached
/// sessions (a dropped one kept for RESUME is nobody connected). With Redis every node writes its count, with the time it
/// counted, into one hash (<c>{prefix}:gateway-connections</c>, one field per node) every 5 s and on every dashboard read;
/// a count older than 15 s belongs to a node that died and is dropped. A graceful stop takes the node's field out at once.
/// Without Redis, or while it is unreachable, this node's own count is the answer (and says it counted one node).
/// </summary>
public sealed class GatewayConnectionCount(GatewayHub gateway, ClusterConnection cluster, TimeProvider clock, ILogger<GatewayConnectionCount> logger)
    : BackgroundService
{
    public static readonly TimeSpan PublishEvery = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(15);

    private RedisKey Key => cluster.Key("gateway-connections");

    /// <summary>This node's connected gateway sessions.</summary>
    public int Local => gateway.Sessions.Count(s => s.IsAttached);

    /// <summary>The connected sessions of every live node, and how many nodes that is.</summary>
    public async Task<(int Connections, int Nodes)> ClusterWideAsync()
    {
        var local = Local;
        if (!cluster.Enabled || !cluster.IsHealthy)
        {
            return (local, 1);
        }

        try
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            await PublishAsync(local, now);
            var (total, nodes) = (local, 1);
            var stale = new List<RedisValue>();
            foreach (var entry in await cluster.Database.HashGetAllAsync(Key))
            {
                if (entry.Name == cluster.NodeName)
                {
                    continue;
                }

                if (Parse(entry.Value) is { } counted && now - counted.At <= (long)Stale.TotalMilliseconds)
                {
                    (total, nodes) = (total + counted.Count, nodes + 1);
                }
                else
                {
                    stale.Add(entry.Name);
                }
            }

            if (stale.Count > 0)
            {
                await cluster.Database.HashDeleteAsync(Key, [.. stale]);
            }

            return (total, nodes);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogDebug(ex, "Gateway connections of the other nodes not read (Redis unreachable): this node's only");
            return (local, 1);
        }
    }

    private static (int Count, long At)? Parse(RedisValue value)
    {
        var text = (string?)value;
        var parts = text?.Split(':');
        return parts is [var count, var at]
               && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var c)
               && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            ? (c, a)
            : null;
    }

    private Task PublishAsync(int count, long at) =>
        cluster.Database.HashSetAsync(Key, cluster.NodeName, string.Create(CultureInfo.InvariantCulture, $"{count}:{at}"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cluster.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (cluster.IsHealthy)
                {
                    await PublishAsync(Local, clock.GetUtcNow().ToUnixTimeMilliseconds());
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogDebug(ex, "Gateway connection count not shared (Redis unreachable)");
            }

            try
            {
                await Task.Delay(PublishEvery, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (cluster.Enabled && cluster.IsHealthy)
        {
            try
            {
                await cluster.Database.HashDeleteAsync(Key, cluster.NodeName);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogDebug(ex, "Gateway connection count not withdrawn (Redis unreachable); it lapses in {Seconds} s", Stale.TotalSeconds);
            }
        }
    }
}
