using System.Diagnostics;
using System.Globalization;

namespace Voxora.Bench;

/// <summary>Reads /proc: a process's resident memory and CPU time, and the whole machine's CPU use.</summary>
public static class ProcStats
{
    /// <summary>Clock ticks per second for /proc/&lt;pid&gt;/stat (USER_HZ; 100 on every Linux we target).</summary>
    public const double ClockTicks = 100.0;

    /// <summary>VmRSS in bytes, or null if the process is gone or this is not Linux.</summary>
    public static long? RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>utime + stime in seconds, or null.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // rest[0] is field 3 (state); utime is field 14, stime field 15.
            var utime = long.Parse(rest[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(rest[12], CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicks;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Busy and total jiffies of all CPUs (first line of /proc/stat).</summary>
    public static (long Busy, long Total)? MachineJiffies()
    {
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            var values = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            var total = values.Take(8).Sum();
            return (total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The soft limit on open files for this process (from /proc/self/limits), or null.</summary>
    public static (long Soft, long Hard)? OpenFilesLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            if (line is null)
            {
                return null;
            }

            var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            static long Parse(string s) => s == "unlimited" ? long.MaxValue : long.Parse(s, CultureInfo.InvariantCulture);
            return (Parse(parts[0]), Parse(parts[1]));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}

/// <summary>
/// Watches the server process during a run (every node's, summed, when the tool started several): peak RSS (sampled
/// every 250 ms) and CPU seconds used, the Redis server's CPU when the tool started it, plus the machine's overall CPU
/// use (load generator and database included).
/// </summary>
public sealed class ResourceWatch : IAsyncDisposable
{
    private readonly int[] pids;
    private readonly int? redisPid;
    private readonly CancellationTokenSource stop = new();
    private readonly Task sampler;
    private readonly double? cpuStart;
    private readonly double? redisCpuStart;
    private readonly double benchCpuStart;
    private readonly (long Busy, long Total)? machineStart;
    private readonly long startTicks = Stopwatch.GetTimestamp();
    private long peakRss;

    public ResourceWatch(int? pid)
        : this(pid is { } p ? [p] : [], null)
    {
    }

    /// <summary>Every node of <paramref name="target"/>, and its Redis if the tool started it.</summary>
    public ResourceWatch(BenchTarget target)
        : this(target.ServerPids, target.RedisPid)
    {
    }

    public ResourceWatch(IReadOnlyList<int> pids, int? redisPid)
    {
        this.pids = [.. pids];
        this.redisPid = redisPid;
        RssStart = SumRss();
        cpuStart = SumCpu();
        redisCpuStart = redisPid is { } r ? ProcStats.CpuSeconds(r) : null;
        benchCpuStart = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        machineStart = ProcStats.MachineJiffies();
        peakRss = RssStart ?? 0;
        sampler = Task.Run(SampleAsync);
    }

    public long? RssStart { get; }

    private long? SumRss()
    {
        long sum = 0;
        foreach (var p in pids)
        {
            if (ProcStats.RssBytes(p) is not { } rss)
            {
                return null;
            }

            sum += rss;
        }

        return pids.Length > 0 ? sum : null;
    }

    private double? SumCpu()
    {
        double sum = 0;
        foreach (var p in pids)
        {
            if (ProcStats.CpuSeconds(p) is not { } cpu)
            {
                return null;
            }

            sum += cpu;
        }

        return pids.Length > 0 ? sum : null;
    }

    private async Task SampleAsync()
    {
        if (pids.Length == 0)
        {
            return;
        }

        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (SumRss() is { } rss && rss > peakRss)
                {
                    peakRss = rss;
                }

                await Task.Delay(250, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops sampling and adds the figures to the result.</summary>
    /// <param name="operations">Operations done while watched: adds server CPU per operation, a figure the
    /// machine's other load disturbs far less than throughput (it is the server's own CPU time).</param>
    public async Task FinishAsync(ScenarioResult result, double operations = 0, string operation = "op")
    {
        await stop.CancelAsync();
        await sampler;
        var seconds = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        if (pids.Length > 0)
        {
            var rssEnd = SumRss();
            var cpuEnd = SumCpu();
            if (rssEnd is { } end && end > peakRss)
            {
                peakRss = end;
            }

            result.Add("server_rss_start_mb", (RssStart ?? 0) / 1048576.0);
            result.Add("server_rss_end_mb", (rssEnd ?? 0) / 1048576.0);
            result.Add("server_rss_peak_mb", peakRss / 1048576.0);
            if (cpuStart is { } c0 && cpuEnd is { } c1)
            {
                result.Add("server_cpu_s", c1 - c0);
                result.Add("server_cpu_cores", (c1 - c0) / seconds);
                if (operations > 0)
                {
                    result.Add($"server_cpu_us_per_{operation}", (c1 - c0) * 1e6 / operations);
                }
            }
        }

        if (redisPid is { } r && redisCpuStart is { } r0 && ProcStats.CpuSeconds(r) is { } r1)
        {
            result.Add("redis_cpu_cores", (r1 - r0) / seconds);
        }

        result.Add("bench_cpu_cores", (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - benchCpuStart) / seconds);
        if (machineStart is { } m0 && ProcStats.MachineJiffies() is { } m1 && m1.Total > m0.Total)
        {
            result.Add("machine_cpu_busy_pct", 100.0 * (m1.Busy - m0.Busy) / (m1.Total - m0.Total));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }

        await sampler;
        stop.Dispose();
    }
}
