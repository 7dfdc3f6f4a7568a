using System.Diagnostics;
using System.Globalization;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// <c>resume</c>: R receivers under a steady message stream; every <c>--drop-every-ms</c> one of them drops
/// its TCP connection without a close handshake and RESUMEs on a new socket with the last sequence it
/// processed → every event must arrive exactly once on every session (counted per connection by nonce).
/// </summary>
public static class ResumeScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchWorld world, BenchOptions o, CancellationToken ct)
    {
        var receivers = o.Receivers;
        var receiverUsers = o.Users > 0 ? o.Users : Math.Min(receivers, 20);
        var rate = o.Rate > 0 ? o.Rate : 50;
        await world.EnsureUsersAsync(2 + receiverUsers, ct);
        await world.RefreshIfOldAsync(ct);
        var sender = world.Users[1].Client;
        var pool = world.Users.Skip(2).Take(receiverUsers).ToList();

        var result = new ScenarioResult("resume", world.Target.Provider);
        result.Parameters["receivers"] = receivers.ToString(CultureInfo.InvariantCulture);
        result.Parameters["rate"] = rate.ToString(CultureInfo.InvariantCulture);
        result.Parameters["drop_every_ms"] = o.DropEveryMs.ToString(CultureInfo.InvariantCulture);
        result.Parameters["duration_s"] = o.DurationSeconds.ToString(CultureInfo.InvariantCulture);

        await using var gateway = new LeanGateway(world.BaseAddress, o.LocalAddresses);
        string Token(int i) => pool[i % pool.Count].Client.AccessToken!;
        var connections = await FanoutScenario.ConnectAllAsync(gateway, receivers, Token, o.ConnectParallelism, null, ct);
        var duration = TimeSpan.FromSeconds(o.DurationSeconds);
        var messages = (int)Math.Round(rate * duration.TotalSeconds);
        var tracker = new DeliveryTracker(connections.Count, messages, 1_000_000_000L);
        foreach (var c in connections)
        {
            c.OnMessage = tracker.Seen;
        }

        var watch = new ResourceWatch(world.Target);
        using var stopDropping = new CancellationTokenSource();
        var resumeLatency = new Histogram();
        long resumesOk = 0, resumesRefused = 0, resumeErrors = 0;
        string? firstResumeError = null;
        var busy = new int[connections.Count];
        var pending = new List<Task>();
        var dropper = Task.Run(async () =>
        {
            var random = new Random(42);
            try
            {
                while (!stopDropping.IsCancellationRequested)
                {
                    await Task.Delay(o.DropEveryMs, stopDropping.Token);
                    var i = random.Next(connections.Count);
                    if (Interlocked.Exchange(ref busy[i], 1) == 1)
                    {
                        continue;
                    }

                    var c = connections[i];
                    lock (pending)
                    {
                        pending.Add(Task.Run(async () =>
                        {
                            try
                            {
                                var t0 = Stopwatch.GetTimestamp();
                                c.Drop();
                                if (await c.ResumeAsync(Token(i), TimeSpan.FromSeconds(10), ct))
                                {
                                    Interlocked.Increment(ref resumesOk);
                                    resumeLatency.RecordTicks(Stopwatch.GetTimestamp() - t0);
                                }
                                else
                                {
                                    Interlocked.Increment(ref resumesRefused);
                                }
                            }
                            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or TimeoutException or HttpRequestException or IOException)
                            {
                                Interlocked.Increment(ref resumeErrors);
                                Interlocked.CompareExchange(ref firstResumeError, ex.Message, null);
                            }
                            finally
                            {
                                Volatile.Write(ref busy[i], 0);
                            }
                        }, CancellationToken.None));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        var send = await Senders.OpenLoopAsync([sender], world.Channel.Id, rate, duration, 1_000_000_000L, tracker.Started, record: true, ct);
        await stopDropping.CancelAsync();
        await dropper;
        Task[] inFlight;
        lock (pending)
        {
            inFlight = [.. pending];
        }

        await Task.WhenAll(inFlight);
        var posted = tracker.Started.Count(t => t > 0);
        await tracker.DrainAsync((long)posted * connections.Count, TimeSpan.FromSeconds(5), ct);
        await watch.FinishAsync(result, tracker.Delivered, "delivery");

        var (lost, withLoss) = tracker.Lost(connections.Count);
        result.Add("messages_posted", posted);
        result.Add("expected_deliveries", (long)posted * connections.Count);
        result.Add("deliveries", tracker.Delivered);
        result.Add("lost", lost);
        result.Add("duplicated", tracker.Duplicated);
        result.Add("resumes_ok", resumesOk);
        result.Add("resumes_refused", resumesRefused);
        result.Add("resume_errors", resumeErrors);
        result.AddLatency("drop_to_resumed", resumeLatency);
        result.Add("delivery_p99_ms", tracker.Latency.PercentileMs(0.99));
        result.Add("post_errors", send.Failed);
        var closed = connections.Sum(c => c.UnexpectedCloses);
        result.Add("connections_closed_by_server", closed);
        if (lost > 0)
        {
            result.Failures.Add($"{lost} deliveries lost on {withLoss} connections");
        }

        if (tracker.Duplicated > 0)
        {
            result.Failures.Add($"{tracker.Duplicated} duplicated deliveries");
        }

        if (resumesRefused > 0 || resumeErrors > 0)
        {
            result.Failures.Add($"{resumesRefused} resumes refused (op 7), {resumeErrors} failed; first: {firstResumeError}");
        }

        if (resumesOk == 0)
        {
            result.Failures.Add("no connection was dropped and resumed");
        }

        if (send.Failed > 0)
        {
            result.Failures.Add($"{send.Failed} POSTs failed; first: {send.FirstError}");
        }

        foreach (var c in connections)
        {
            c.Abort();
        }

        return result;
    }
}
