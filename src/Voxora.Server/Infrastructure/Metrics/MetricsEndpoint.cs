using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Primitives;
using Prometheus;
using Voxora.Server.Features.Voice;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Infrastructure.Metrics;

/// <summary>
/// This node's state as gauges, read when <c>/metrics</c> is scraped: live gateway sessions, people in voice, voice
/// rooms per Janus server and whether it is up, Redis reachability, and the free and total bytes of the disk holding the
/// data folder (for the disk-space alert in deploy/prometheus/alerts.yml). Created from the host's meter factory, so two
/// servers in one process (the tests) keep their gauges apart.
/// </summary>
public sealed class NodeGauges
{
    public const string MeterName = "Voxora.Node";

    public NodeGauges(IMeterFactory meters, GatewayHub hub, VoiceService voice, JanusSupervisor janus, ClusterConnection cluster, ServerOptions options)
    {
        var dataDir = Path.GetFullPath(options.DataDir);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("gateway.sessions", () => hub.SessionCount, "{session}", "Identified gateway sessions on this node (resumable ones included)");
        meter.CreateObservableGauge("voice.participants", () => voice.MemberCount, "{participant}", "People in voice channels through this node");
        meter.CreateObservableGauge("voice.rooms", () => janus.Nodes.Select(n => new Measurement<int>(n.RoomCount, new KeyValuePair<string, object?>("janus", n.Name))),
            "{room}", "Voice rooms on each Janus server");
        meter.CreateObservableGauge("janus.up", () => janus.Nodes.Select(n => new Measurement<int>(n.IsUp ? 1 : 0, new KeyValuePair<string, object?>("janus", n.Name))),
            null, "1 while the Janus server answers");
        meter.CreateObservableGauge("redis.up", () => !cluster.Enabled ? [] : new[] { new Measurement<int>(cluster.IsHealthy ? 1 : 0) },
            null, "1 while Redis answers (only on a cluster)");
        meter.CreateObservableGauge("disk.free_bytes", () => DataDisk(dataDir, d => d.AvailableFreeSpace), null, "Bytes free (to this process) on the disk of the data folder");
        meter.CreateObservableGauge("disk.size_bytes", () => DataDisk(dataDir, d => d.TotalSize), null, "Size in bytes of the disk of the data folder");
    }

    /// <summary>The disk holding <paramref name="dataDir"/> (the longest matching mount point); nothing when it cannot be read.</summary>
    private static IEnumerable<Measurement<long>> DataDisk(string dataDir, Func<DriveInfo, long> read)
    {
        try
        {
            var drive = DriveInfo.GetDrives()
                .Where(d => d.IsReady && dataDir.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
                .MaxBy(d => d.RootDirectory.FullName.Length);
            return drive is null ? [] : [new Measurement<long>(read(drive))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

/// <summary>
/// <c>GET /metrics</c> (issue 20): Prometheus text from a registry of this host's own — ASP.NET Core's meters (requests and
/// their duration per route, Kestrel connections, rate-limiter refusals), Voxora's counters and gauges, Npgsql's command
/// times, process and GC statistics. Answered only to loopback and <c>VOXORA_METRICS__ALLOW</c>; anyone else gets 404.
/// </summary>
public static class MetricsEndpoint
{
    /// <summary>
    /// The ASP.NET Core and Kestrel instruments exported (docs/operations.md lists them). A request passes a dozen
    /// framework instruments (active requests, route matching, authentication and authorization, rate-limiter leases, …)
    /// and every measurement of a listened instrument costs a label lookup in the adapter: listening to all of them was
    /// about 5 % of the server's CPU in the bench's <c>send</c> (docs/benchmarks.md), for series nobody charts.
    /// </summary>
    public static readonly FrozenSet<string> FrameworkInstruments = FrozenSet.ToFrozenSet(
    [
        "http.server.request.duration",
        "aspnetcore.rate_limiting.requests",
        "kestrel.active_connections",
        "kestrel.queued_connections",
        "kestrel.rejected_connections",
        "aspnetcore.diagnostics.exceptions",
    ], StringComparer.Ordinal);

    public static void AddMetrics(IServiceCollection services, MetricsOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<NodeGauges>();
        services.AddSingleton(sp =>
        {
            var registry = Prometheus.Metrics.NewCustomRegistry();
            DotNetStats.Register(registry);
            var factory = sp.GetRequiredService<IMeterFactory>();
            sp.GetRequiredService<NodeGauges>();
            var listening = MeterAdapter.StartListening(new MeterAdapterOptions
            {
                Registry = registry,
                // Set explicitly: left alone it is the process-wide default factory, which ignores Registry.
                MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
                // Voxora's static counters and the database driver's, and this host's meters (made by its factory; not
                // those of another server in the same process): all of Voxora.Node, of the framework's the listed ones.
                InstrumentFilterPredicate = instrument => instrument.Meter.Name is VoxoraMetrics.MeterName or "Npgsql"
                    || (ReferenceEquals(instrument.Meter.Scope, factory)
                        && (instrument.Meter.Name == NodeGauges.MeterName || FrameworkInstruments.Contains(instrument.Name))),
            });
            return new MetricsRegistry(registry, listening);
        });
    }

    public static void MapMetrics(WebApplication app, MetricsOptions options)
    {
        if (!options.Enabled)
        {
            return;
        }

        var allowed = options.AllowedNetworks;
        var registry = app.Services.GetRequiredService<MetricsRegistry>();
        app.MapWhen(
            context => context.Request.Path.Equals("/metrics", StringComparison.Ordinal),
            branch =>
            {
                branch.Use(async (context, next) =>
                {
                    var forwarded = !StringValues.IsNullOrEmpty(context.Request.Headers["X-Forwarded-For"]);
                    if (!MetricsAccess.IsAllowed(context.Connection.RemoteIpAddress, forwarded, allowed))
                    {
                        context.Response.StatusCode = StatusCodes.Status404NotFound;
                        return;
                    }

                    await next(context);
                });
                branch.UseMetricServer("/metrics", registry.Registry);
            });
    }
}

/// <summary>The host's registry and its meter listener (disposed with the host).</summary>
public sealed class MetricsRegistry(CollectorRegistry registry, IDisposable listening) : IDisposable
{
    public CollectorRegistry Registry { get; } = registry;

    public void Dispose() => listening.Dispose();
}
