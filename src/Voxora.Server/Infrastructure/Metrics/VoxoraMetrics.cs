using System.Diagnostics.Metrics;

namespace Voxora.Server.Infrastructure.Metrics;

/// <summary>
/// Voxora's own counters, recorded where things happen (System.Diagnostics.Metrics: nearly free while nobody listens).
/// Static because they are recorded from objects outside the container (gateway connections); one server per process
/// in production. Exported (as <c>voxora_gateway_dispatches</c> and so on: the exporter puts the meter's name first) with the per-node gauges of <see cref="NodeGauges"/> at <c>/metrics</c> (docs/operations.md).
/// </summary>
public static class VoxoraMetrics
{
    public const string MeterName = "Voxora";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Gateway events published (once per event, whatever the number of receivers).</summary>
    public static readonly Counter<long> Dispatches = Meter.CreateCounter<long>("gateway.dispatches", "{event}", "Gateway events published");

    /// <summary>Gateway connections closed by the server, by close code (4011 slow consumer, 4008 rate limited, …).</summary>
    public static readonly Counter<long> GatewayCloses = Meter.CreateCounter<long>("gateway.closes", "{connection}", "Gateway connections closed by the server, by close code");

    /// <summary>Message writer transactions and how many messages each saved.</summary>
    public static readonly Histogram<int> WriterBatchSize = Meter.CreateHistogram<int>("messages.writer.batch_size", "{message}", "Messages saved per writer transaction",
        tags: null, advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    /// <summary>Logins refused for a wrong user or password.</summary>
    public static readonly Counter<long> LoginFailures = Meter.CreateCounter<long>("auth.login_failures", "{login}", "Logins refused for a wrong user or password");
}
