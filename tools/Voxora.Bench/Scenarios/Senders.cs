using System.Diagnostics;
using System.Globalization;
using Voxora.Client;

namespace Voxora.Bench.Scenarios;

/// <summary>What a batch of POSTs achieved.</summary>
public sealed class SendStats
{
    public long Ok;

    /// <summary>Successful POSTs including the warm-up (closed loop).</summary>
    public long AllOk;
    public long Failed;
    public long Late;
    public double Seconds;
    public string? FirstError;
    public Histogram Latency { get; } = new();

    public void Fail(Exception ex)
    {
        Interlocked.Increment(ref Failed);
        Interlocked.CompareExchange(ref FirstError, ex.GetType().Name + ": " + ex.Message, null);
    }
}

/// <summary>Message POSTs, closed-loop (as fast as C workers can) or open-loop at a fixed offered rate.</summary>
public static class Senders
{
    public static string Content(long n) => "bench message " + n.ToString(CultureInfo.InvariantCulture) + " the quick brown fox jumps over the lazy dog";

    /// <summary>C workers post back to back until the deadline; only POSTs started after warm-up count.</summary>
    public static async Task<SendStats> ClosedLoopAsync(IReadOnlyList<VoxoraClient> clients, string channelId, int concurrency, TimeSpan warmup, TimeSpan duration, CancellationToken ct)
    {
        var stats = new SendStats();
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long counter = 0;
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var client = clients[w % clients.Count];
            while (true)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= end || ct.IsCancellationRequested)
                {
                    return;
                }

                var n = Interlocked.Increment(ref counter);
                try
                {
                    await client.SendMessageAsync(channelId, Content(n), ct: ct);
                    Interlocked.Increment(ref stats.AllOk);
                    if (t0 >= measureFrom)
                    {
                        stats.Latency.RecordTicks(Stopwatch.GetTimestamp() - t0);
                        Interlocked.Increment(ref stats.Ok);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or VoxoraApiException or TaskCanceledException)
                {
                    if (t0 >= measureFrom)
                    {
                        stats.Fail(ex);
                    }
                }
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(workers);
        stats.Seconds = duration.TotalSeconds;
        return stats;
    }

    /// <summary>
    /// Open loop: POST number n is due at start + n/rate, whatever happened to the earlier ones. Latency is
    /// measured from the due time (so a stalled server cannot hide its queueing: no coordinated omission).
    /// <paramref name="started"/>[n] gets the Stopwatch timestamp at which POST n was actually issued.
    /// </summary>
    public static async Task<SendStats> OpenLoopAsync(
        IReadOnlyList<VoxoraClient> clients, string channelId, double rate, TimeSpan duration, long nonceBase, long[]? started,
        bool record, CancellationToken ct, int maxInFlight = 2048)
    {
        var stats = new SendStats();
        var total = (long)Math.Round(rate * duration.TotalSeconds);
        var start = Stopwatch.GetTimestamp();
        var inFlight = new SemaphoreSlim(maxInFlight);
        var tasks = new List<Task>((int)Math.Min(total, 1_000_000));
        for (long n = 0; n < total && !ct.IsCancellationRequested; n++)
        {
            var due = start + (long)(n * Stopwatch.Frequency / rate);
            while (true)
            {
                var wait = due - Stopwatch.GetTimestamp();
                if (wait <= 0)
                {
                    break;
                }

                // Sleep unless the POST is due within 200 µs. The generator shares the cores with the server, so
                // it must not spin: it used to yield-spin for the last 2 ms before every POST, which at 2,500/s
                // (one every 400 µs) meant spinning all the time (~0.3 of a core taken from the server). A sleep
                // can overshoot by about a millisecond; latency is counted from the due time, so that shows up
                // in the figures (it never flatters them), and the POSTs then due go out together.
                if (wait > Stopwatch.Frequency / 5000)
                {
                    await Task.Delay(1, ct);
                }
                else
                {
                    Thread.Yield();
                }
            }

            if (!inFlight.Wait(0))
            {
                Interlocked.Increment(ref stats.Late);
                await inFlight.WaitAsync(ct);
            }

            tasks.Add(SendOneAsync(clients[(int)(n % clients.Count)], channelId, n, due, nonceBase, started, record, stats, inFlight, ct));
        }

        await Task.WhenAll(tasks);
        stats.Seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return stats;
    }

    private static async Task SendOneAsync(
        VoxoraClient client, string channelId, long n, long due, long nonceBase, long[]? started, bool record, SendStats stats, SemaphoreSlim inFlight, CancellationToken ct)
    {
        try
        {
            if (started is not null)
            {
                Volatile.Write(ref started[n], Stopwatch.GetTimestamp());
            }

            var nonce = (nonceBase + n).ToString(CultureInfo.InvariantCulture);
            await client.SendMessageAsync(channelId, Content(nonceBase + n), nonce, ct: ct);
            if (record)
            {
                stats.Latency.RecordTicks(Stopwatch.GetTimestamp() - due);
            }

            Interlocked.Increment(ref stats.Ok);
            Interlocked.Increment(ref stats.AllOk);
        }
        catch (Exception ex) when (ex is HttpRequestException or VoxoraApiException or TaskCanceledException)
        {
            if (started is not null)
            {
                Volatile.Write(ref started[n], -1);
            }

            stats.Fail(ex);
        }
        finally
        {
            inFlight.Release();
        }
    }
}
