using StackExchange.Redis;

namespace Voxora.Server.Infrastructure.Cluster;

/// <summary>
/// Makes sure no two live nodes of a cluster share a <c>VOXORA_NODE_ID</c>: it is inside every Snowflake id a node
/// makes, so two nodes with one id would make colliding message ids. Each node holds a Redis lease on its id
/// (<c>{prefix}:node-id:{id}</c>, renewed every 5 s, expiring 15 s after the last renewal). A node that finds its id
/// held by another process waits up to 20 s (a node killed a moment ago lets go by then) and otherwise refuses to
/// start with one clear line (exit 2). A graceful stop gives the lease back at once.
/// </summary>
public sealed class NodeIdLease(ClusterConnection cluster, ServerOptions options, TimeProvider clock, ILogger<NodeIdLease> logger) : BackgroundService
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WaitForStale = TimeSpan.FromSeconds(20);

    // Renews only a lease that is still ours; never takes over one another node holds.
    private const string RenewScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == false then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        elseif holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private RedisKey Key => cluster.Key("node-id:" + options.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Takes the lease before the node serves anything; throws <see cref="ConfigurationErrorException"/> when a live node holds it.</summary>
    public async Task AcquireAsync(CancellationToken ct)
    {
        if (!cluster.Enabled)
        {
            return;
        }

        if (!cluster.IsHealthy)
        {
            logger.LogWarning("Redis is unreachable: cannot check that VOXORA_NODE_ID {NodeId} is not used by another node; the lease is taken when Redis answers", options.NodeId);
            return;
        }

        var deadline = clock.GetUtcNow() + WaitForStale;
        var waiting = false;
        while (true)
        {
            if (await cluster.Database.StringSetAsync(Key, cluster.NodeName, Ttl, When.NotExists))
            {
                return;
            }

            var holder = (string?)await cluster.Database.StringGetAsync(Key);
            if (clock.GetUtcNow() > deadline)
            {
                throw new ConfigurationErrorException(
                    $"VOXORA_NODE_ID {options.NodeId} is in use by another live node of this cluster ({holder}): give every node its own VOXORA_NODE_ID.");
            }

            if (!waiting)
            {
                logger.LogWarning("VOXORA_NODE_ID {NodeId} is held by {Holder}; waiting up to {Seconds} s for it to lapse (a node that just died lets go)", options.NodeId, holder, WaitForStale.TotalSeconds);
                waiting = true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), clock, ct);
        }
    }

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
                await Task.Delay(RenewEvery, clock, stoppingToken);
                if (!cluster.IsHealthy)
                {
                    continue;
                }

                var renewed = (long)await cluster.Database.ScriptEvaluateAsync(RenewScript, [Key], [cluster.NodeName, (long)Ttl.TotalMilliseconds]);
                if (renewed == 0)
                {
                    logger.LogError("VOXORA_NODE_ID {NodeId} is now held by another node: two nodes share it and may make colliding ids. Give every node its own VOXORA_NODE_ID", options.NodeId);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogDebug(ex, "Node id lease not renewed (Redis unreachable)");
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
                await cluster.Database.ScriptEvaluateAsync(ReleaseScript, [Key], [cluster.NodeName]);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogDebug(ex, "Node id lease not released; it lapses by itself");
            }
        }
    }
}
