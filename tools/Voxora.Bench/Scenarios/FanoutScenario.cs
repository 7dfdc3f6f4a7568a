using System.Diagnostics;
using System.Globalization;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// <c>fanout</c>: R identified receivers in one community and channel; senders POST at a fixed offered rate
/// (each message with a unique numeric nonce) → POST-start-to-delivery latency over all deliveries,
/// deliveries/s, lost and duplicated events. <c>--find-knee</c> raises the rate step by step and reports
/// the highest rate whose p99 stays under <c>--knee-p99-ms</c> with nothing lost.
/// </summary>
public static class FanoutScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchWorld world, BenchOptions o, CancellationToken ct)
    {
        var receivers = o.Receivers;
        var receiverUsers = o.Users > 0 ? o.Users : Math.Min(receivers, 200);
        var senders = Math.Max(1, o.Senders);
        await world.EnsureUsersAsync(1 + senders + receiverUsers, ct);
        await world.RefreshIfOldAsync(ct);
        var nodes = world.Target.NodeAddresses.Count;
        // Senders post to the nodes round-robin (message n to node n mod N) and receiver i connects to node i mod N, so
        // with several nodes most deliveries cross the bus from another node.
        var senderClients = world.SpreadOverNodes(world.Users.Skip(1).Take(senders).ToList());
        var receiverPool = world.Users.Skip(1 + senders).Take(receiverUsers).ToList();

        var result = new ScenarioResult("fanout", world.Target.Provider);
        result.Parameters["receivers"] = receivers.ToString(CultureInfo.InvariantCulture);
        result.Parameters["receiver_users"] = receiverUsers.ToString(CultureInfo.InvariantCulture);
        result.Parameters["senders"] = senders.ToString(CultureInfo.InvariantCulture);
        result.Parameters["duration_s"] = o.DurationSeconds.ToString(CultureInfo.InvariantCulture);
        result.Parameters["nodes"] = nodes.ToString(CultureInfo.InvariantCulture);

        var gateways = world.Target.NodeAddresses.Select(a => new LeanGateway(a, o.LocalAddresses)).ToList();
        try
        {
            var connectWatch = Stopwatch.StartNew();
            var connections = await ConnectAllAsync(
                i => gateways[i % nodes], receivers, i => receiverPool[i % receiverPool.Count].Client.AccessToken!, o.ConnectParallelism, null, ct);
            result.Add("connect_all_s", connectWatch.Elapsed.TotalSeconds);
            await RunRatesAsync(world, o, result, senderClients, connections, ct);
        }
        finally
        {
            foreach (var g in gateways)
            {
                await g.DisposeAsync();
            }
        }

        return result;
    }

    private static async Task RunRatesAsync(
        BenchWorld world, BenchOptions o, ScenarioResult result, List<Voxora.Client.VoxoraClient> senderClients, List<LeanConnection> connections, CancellationToken ct)
    {
        var rates = o.FindKnee ? KneeRates(o) : [o.Rate > 0 ? o.Rate : 100];
        result.Parameters["warmup_s"] = o.WarmupSeconds.ToString(CultureInfo.InvariantCulture);
        await WarmUpAsync(o, senderClients, connections, world.Channel.Id, rates[0], ct);
        double? knee = null;
        var step = 0;
        foreach (var rate in rates)
        {
            var s = await StepAsync(world, o, senderClients, connections, rate, step++, ct);
            if (o.FindKnee)
            {
                s.Parameters["knee_probe"] = "true";
                result.Steps.Add(s);
                if (s.Get("pass") == 1)
                {
                    knee = rate;
                }
                else
                {
                    break;
                }
            }
            else
            {
                foreach (var (k, v) in s.Metrics)
                {
                    result.Add(k, v);
                }

                result.Failures.AddRange(s.Failures);
            }
        }

        if (o.FindKnee)
        {
            result.Add("knee_rate", knee ?? 0);
            result.Add("knee_p99_limit_ms", o.KneeP99Ms);
            var best = result.Steps.LastOrDefault(s => s.Get("pass") == 1);
            if (best is not null)
            {
                result.Add("knee_delivery_p99_ms", best.Get("delivery_p99_ms"));
                result.Add("knee_deliveries_per_s", best.Get("deliveries_per_s"));
            }
        }

        var closed = connections.Sum(c => c.UnexpectedCloses);
        result.Add("connections_closed_by_server", closed);
        if (closed > 0 && !o.FindKnee)
        {
            var codes = string.Join(",", connections.Where(c => c.LastCloseCode is not null).Select(c => c.LastCloseCode).Distinct());
            result.Failures.Add($"{closed} receiver connections were closed by the server (codes {codes})");
        }

        foreach (var c in connections)
        {
            c.Abort();
        }
    }

    /// <summary>
    /// Traffic at the first measured rate for <c>--warmup</c> seconds, not recorded: a freshly started server is
    /// still compiling its hot paths to optimized code for tens of seconds (its tiered-compilation thread was
    /// measured busy for ~40 s of a fan-out run), and the first measured run would otherwise report that.
    /// </summary>
    private static async Task WarmUpAsync(
        BenchOptions o, List<Voxora.Client.VoxoraClient> senders, List<LeanConnection> connections, string channelId, double rate, CancellationToken ct)
    {
        if (o.WarmupSeconds <= 0)
        {
            return;
        }

        await SendAndDrainAsync(senders, connections, channelId, rate, TimeSpan.FromSeconds(o.WarmupSeconds), WarmupNonceBase, record: false, ct);
    }

    /// <summary>
    /// Points every receiver at a fresh tracker, posts at <paramref name="rate"/> for <paramref name="duration"/>
    /// (nonces from <paramref name="nonceBase"/>), then waits until every posted message reached every open
    /// receiver or nothing more arrived for 5 s.
    /// </summary>
    private static async Task<(DeliveryTracker Tracker, SendStats Send)> SendAndDrainAsync(
        List<Voxora.Client.VoxoraClient> senders, List<LeanConnection> connections, string channelId, double rate, TimeSpan duration,
        long nonceBase, bool record, CancellationToken ct)
    {
        var tracker = new DeliveryTracker(connections.Count, (int)Math.Round(rate * duration.TotalSeconds), nonceBase);
        foreach (var c in connections)
        {
            c.OnMessage = tracker.Seen;
        }

        var send = await Senders.OpenLoopAsync(senders, channelId, rate, duration, nonceBase, tracker.Started, record, ct);
        var expected = (long)tracker.Started.Count(t => t > 0) * connections.Count(c => !c.IsDropped);
        await tracker.DrainAsync(expected, TimeSpan.FromSeconds(5), ct);
        return (tracker, send);
    }

    // Below the first step's base (1,000,000,000), above any warm-up's message count.
    private const long WarmupNonceBase = 500_000_000L;

    private static List<double> KneeRates(BenchOptions o)
    {
        var rates = new List<double>();
        for (var r = o.KneeStart; r <= o.KneeMax; r *= o.KneeFactor)
        {
            rates.Add(Math.Round(r));
        }

        return rates;
    }

    private static async Task<ScenarioResult> StepAsync(
        BenchWorld world, BenchOptions o, List<Voxora.Client.VoxoraClient> senders, List<LeanConnection> connections, double rate, int step, CancellationToken ct)
    {
        var duration = TimeSpan.FromSeconds(o.DurationSeconds);
        var messages = (int)Math.Round(rate * duration.TotalSeconds);
        var nonceBase = (step + 1) * 1_000_000_000L;
        var r = new ScenarioResult("fanout", world.Target.Provider);
        r.Parameters["rate"] = rate.ToString(CultureInfo.InvariantCulture);
        var watch = new ResourceWatch(world.Target);
        var (tracker, send) = await SendAndDrainAsync(senders, connections, world.Channel.Id, rate, duration, nonceBase, record: true, ct);
        var deliverySeconds = send.Seconds;
        await watch.FinishAsync(r, tracker.Delivered, "delivery");

        var (lost, withLoss) = tracker.Lost(connections.Count);
        r.Add("offered_rate", rate);
        r.Add("achieved_rate", send.Ok / send.Seconds);
        r.Add("post_errors", send.Failed);
        r.Add("deliveries", tracker.Delivered);
        r.Add("deliveries_per_s", tracker.Delivered / deliverySeconds);
        r.Add("delivery_p50_ms", tracker.Latency.PercentileMs(0.50));
        r.Add("delivery_p95_ms", tracker.Latency.PercentileMs(0.95));
        r.Add("delivery_p99_ms", tracker.Latency.PercentileMs(0.99));
        r.Add("delivery_max_ms", tracker.Latency.MaxMs);
        r.AddLatency("post", send.Latency);
        r.Add("lost", lost);
        r.Add("duplicated", tracker.Duplicated);
        r.Add("stray", tracker.Stray);
        var pass = lost == 0 && tracker.Duplicated == 0 && send.Failed == 0
            && send.Ok >= 0.95 * messages
            && tracker.Latency.PercentileMs(0.99) <= o.KneeP99Ms;
        r.Add("pass", pass ? 1 : 0);
        if (lost > 0)
        {
            r.Failures.Add($"{lost} deliveries lost on {withLoss} connections");
        }

        if (tracker.Duplicated > 0)
        {
            r.Failures.Add($"{tracker.Duplicated} duplicated deliveries");
        }

        if (send.Failed > 0)
        {
            r.Failures.Add($"{send.Failed} POSTs failed; first: {send.FirstError}");
        }

        Console.Error.WriteLine(FormattableString.Invariant(
            $"[bench] fanout {rate}/s × {connections.Count}: achieved {send.Ok / send.Seconds:0}/s, p50 {r.Get("delivery_p50_ms"):0.0} ms, p99 {r.Get("delivery_p99_ms"):0.0} ms, lost {lost}, dup {tracker.Duplicated} → {(pass ? "pass" : "FAIL")}"));
        return r;
    }

    /// <summary>Opens and identifies <paramref name="count"/> connections, <paramref name="parallelism"/> at a time.</summary>
    public static Task<List<LeanConnection>> ConnectAllAsync(
        LeanGateway gateway, int count, Func<int, string> token, int parallelism, Histogram? timeToReady, CancellationToken ct, Action<int>? onFailure = null) =>
        ConnectAllAsync(_ => gateway, count, token, parallelism, timeToReady, ct, onFailure);

    /// <summary>Opens and identifies <paramref name="count"/> connections, connection i through <paramref name="gateway"/>(i).</summary>
    public static async Task<List<LeanConnection>> ConnectAllAsync(
        Func<int, LeanGateway> gateway, int count, Func<int, string> token, int parallelism, Histogram? timeToReady, CancellationToken ct, Action<int>? onFailure = null)
    {
        var result = new LeanConnection?[count];
        var next = -1;
        var errors = 0;
        string? firstError = null;
        var workers = Enumerable.Range(0, Math.Max(1, Math.Min(parallelism, count))).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    result[i] = await gateway(i).ConnectIdentifiedAsync(i, token(i), TimeSpan.FromSeconds(60), ct);
                    timeToReady?.RecordTicks(Stopwatch.GetTimestamp() - t0);
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or TimeoutException or HttpRequestException or IOException or System.Net.Sockets.SocketException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, ex.GetType().Name + ": " + ex.Message, null);
                    onFailure?.Invoke(i);
                }
            }
        }, CancellationToken.None));
        await Task.WhenAll(workers);
        if (errors > 0 && onFailure is null)
        {
            throw new InvalidOperationException($"{errors} of {count} gateway connections failed; first: {firstError}");
        }

        if (errors > 0)
        {
            Console.Error.WriteLine($"[bench] {errors} of {count} gateway connections failed; first: {firstError}");
        }

        return result.Where(c => c is not null).Select(c => c!).ToList();
    }
}
