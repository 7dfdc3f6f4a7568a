using System.Diagnostics;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// Counts every MESSAGE_CREATE each connection receives, by nonce: first sightings are deliveries (with
/// POST-start → arrival latency), later ones duplicates. Per-connection arrays are only touched under that
/// connection's own lock (LeanConnection.Handle), so they need no atomics.
/// </summary>
public sealed class DeliveryTracker
{
    private readonly byte[][] seen;
    private readonly long nonceBase;
    private readonly int messages;
    private long delivered;
    private long duplicated;
    private long stray;

    public DeliveryTracker(int connections, int messages, long nonceBase)
    {
        this.messages = messages;
        this.nonceBase = nonceBase;
        seen = new byte[connections][];
        for (var i = 0; i < connections; i++)
        {
            seen[i] = new byte[messages];
        }

        Started = new long[messages];
    }

    /// <summary>Stopwatch timestamp at which each POST was issued (-1: it failed).</summary>
    public long[] Started { get; }

    public Histogram Latency { get; } = new();
    public long Delivered => Interlocked.Read(ref delivered);
    public long Duplicated => Interlocked.Read(ref duplicated);
    public long Stray => Interlocked.Read(ref stray);

    public void Seen(LeanConnection connection, long nonce, long at)
    {
        var i = nonce - nonceBase;
        if (i < 0 || i >= messages || connection.Index >= seen.Length)
        {
            Interlocked.Increment(ref stray);
            return;
        }

        var row = seen[connection.Index];
        if (row[i] == 0)
        {
            row[i] = 1;
            Interlocked.Increment(ref delivered);
            var started = Volatile.Read(ref Started[i]);
            if (started > 0)
            {
                Latency.RecordTicks(at - started);
            }
        }
        else
        {
            if (row[i] < 255)
            {
                row[i]++;
            }

            Interlocked.Increment(ref duplicated);
        }
    }

    /// <summary>Waits until <paramref name="expected"/> deliveries arrived, or nothing new came for <paramref name="quiet"/>.</summary>
    public async Task DrainAsync(long expected, TimeSpan quiet, CancellationToken ct)
    {
        var last = Delivered;
        var lastChange = Stopwatch.GetTimestamp();
        while (Delivered < expected && !ct.IsCancellationRequested)
        {
            await Task.Delay(50, ct);
            var now = Delivered;
            if (now != last)
            {
                last = now;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > quiet)
            {
                return;
            }
        }
    }

    /// <summary>Deliveries that never came: for each connection, each successfully POSTed message not seen.</summary>
    public (long Lost, int ConnectionsWithLoss) Lost(int connections)
    {
        long lost = 0;
        var withLoss = 0;
        for (var c = 0; c < connections; c++)
        {
            var row = seen[c];
            long missing = 0;
            lock (row)
            {
                for (var i = 0; i < messages; i++)
                {
                    if (row[i] == 0 && Volatile.Read(ref Started[i]) > 0)
                    {
                        missing++;
                    }
                }
            }

            lost += missing;
            if (missing > 0)
            {
                withLoss++;
            }
        }

        return (lost, withLoss);
    }
}
