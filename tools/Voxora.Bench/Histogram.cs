using System.Diagnostics;

namespace Voxora.Bench;

/// <summary>
/// A lock-free latency histogram in microseconds: exact below 1 ms, then 256 sub-buckets per power
/// of two (under 0.4 % error), up to about 2^36 µs. Safe to record from many threads at once.
/// </summary>
public sealed class Histogram
{
    private const int SubBits = 8;
    private const int Sub = 1 << SubBits;
    private const int Linear = 1024;
    private const int Powers = 28;
    private readonly long[] counts = new long[Linear + (Powers * Sub)];
    private long total;
    private long max;
    private long sum;

    public long Count => Interlocked.Read(ref total);

    public static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public void RecordTicks(long stopwatchTicks) => RecordMicros(stopwatchTicks * 1_000_000 / Stopwatch.Frequency);

    public void RecordMicros(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        Interlocked.Increment(ref counts[IndexOf(micros)]);
        Interlocked.Increment(ref total);
        Interlocked.Add(ref sum, micros);
        long seen;
        while (micros > (seen = Interlocked.Read(ref max)) && Interlocked.CompareExchange(ref max, micros, seen) != seen)
        {
        }
    }

    private static int IndexOf(long v)
    {
        if (v < Linear)
        {
            return (int)v;
        }

        var power = 63 - (int)long.LeadingZeroCount(v); // >= 10
        var shift = power - SubBits;
        var sub = (int)((v >> shift) & (Sub - 1));
        var index = Linear + ((power - 10) * Sub) + sub;
        return Math.Min(index, Linear + (Powers * Sub) - 1);
    }

    private static long ValueOf(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var power = ((index - Linear) / Sub) + 10;
        var sub = (index - Linear) % Sub;
        var shift = power - SubBits;
        return ((long)(Sub | sub) << shift) + ((1L << shift) / 2);
    }

    /// <summary>The value at quantile q (0..1), in milliseconds; NaN when empty.</summary>
    public double PercentileMs(double q)
    {
        var n = Count;
        if (n == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * n));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += Interlocked.Read(ref counts[i]);
            if (seen >= rank)
            {
                return Math.Min(ValueOf(i), Interlocked.Read(ref max)) / 1000.0;
            }
        }

        return MaxMs;
    }

    public double MaxMs => Interlocked.Read(ref max) / 1000.0;

    public double MeanMs => Count == 0 ? double.NaN : Interlocked.Read(ref sum) / 1000.0 / Count;
}
