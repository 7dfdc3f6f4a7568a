using System.Diagnostics;
using System.Globalization;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// <c>connections</c>: open N identified, idle gateway connections → server RSS before and after, bytes per
/// connection, time until all are READY (and per-connection connect → READY latency).
/// </summary>
public static class ConnectionsScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchWorld world, BenchOptions o, CancellationToken ct)
    {
        var n = o.Connections;
        var users = o.Users > 0 ? o.Users : Math.Min(n, 100);
        var localAddresses = o.LocalAddresses > 0 ? o.LocalAddresses : Math.Max(1, (n + 24_999) / 25_000);
        CheckFileLimit(n, world.Target.ServerPid);
        await world.EnsureUsersAsync(1 + users, ct);
        await world.RefreshIfOldAsync(ct);
        var pool = world.Users.Skip(1).Take(users).ToList();

        var result = new ScenarioResult("connections", world.Target.Provider);
        result.Parameters["connections"] = n.ToString(CultureInfo.InvariantCulture);
        result.Parameters["users"] = users.ToString(CultureInfo.InvariantCulture);
        result.Parameters["local_addresses"] = localAddresses.ToString(CultureInfo.InvariantCulture);
        result.Parameters["connect_parallelism"] = o.ConnectParallelism.ToString(CultureInfo.InvariantCulture);

        await Task.Delay(TimeSpan.FromSeconds(Math.Min(2, o.SettleSeconds)), ct);
        var pid = world.Target.ServerPid;
        var rssBefore = pid is { } p0 ? ProcStats.RssBytes(p0) : null;
        var watch = new ResourceWatch(pid);
        var timeToReady = new Histogram();
        var failed = 0;
        await using var gateway = new LeanGateway(world.BaseAddress, localAddresses);
        var all = Stopwatch.StartNew();
        var connections = await FanoutScenario.ConnectAllAsync(
            gateway, n, i => pool[i % pool.Count].Client.AccessToken!, o.ConnectParallelism, timeToReady, ct, _ => Interlocked.Increment(ref failed));
        var allReady = all.Elapsed.TotalSeconds;

        await Task.Delay(TimeSpan.FromSeconds(o.SettleSeconds), ct);
        var rssAfter = pid is { } p1 ? ProcStats.RssBytes(p1) : null;
        var stillOpen = connections.Count(c => !c.IsDropped);

        result.Add("connections_ready", connections.Count);
        result.Add("connections_failed", failed);
        result.Add("connections_open_after_settle", stillOpen);
        result.Add("all_ready_s", allReady);
        result.Add("ready_per_s", connections.Count / allReady);
        result.AddLatency("connect_to_ready", timeToReady);
        if (rssBefore is { } before && rssAfter is { } after)
        {
            result.Add("rss_before_mb", before / 1048576.0);
            result.Add("rss_after_mb", after / 1048576.0);
            result.Add("bytes_per_connection", connections.Count == 0 ? double.NaN : (after - before) / (double)connections.Count);
        }

        await watch.FinishAsync(result, connections.Count, "connection");

        foreach (var c in connections)
        {
            c.Abort();
        }

        if (pid is { } p2)
        {
            await Task.Delay(TimeSpan.FromSeconds(o.SettleSeconds), ct);
            if (ProcStats.RssBytes(p2) is { } rssClosed)
            {
                result.Add("rss_after_close_mb", rssClosed / 1048576.0);
            }
        }

        if (failed > 0)
        {
            result.Failures.Add($"{failed} of {n} connections did not reach READY");
        }

        if (stillOpen < connections.Count)
        {
            result.Failures.Add($"{connections.Count - stillOpen} connections were closed by the server while idle");
        }

        return result;
    }

    /// <summary>Each connection is a file descriptor here and one in the server: warn before running out.</summary>
    public static void CheckFileLimit(int connections, int? serverPid)
    {
        var needed = connections + 512;
        if (ProcStats.OpenFilesLimit() is { } mine && mine.Soft < needed)
        {
            Console.Error.WriteLine(
                $"[bench] warning: this process may open {mine.Soft} files (hard limit {mine.Hard}); {connections} connections need about {needed}. " +
                (mine.Hard >= needed
                    ? $"Run `ulimit -n {needed}` in this shell first (the server started by the tool inherits it)."
                    : $"The hard limit is too low: raise it as root (`ulimit -Hn {needed}`, or LimitNOFILE / limits.conf), or run fewer connections."));
        }

        if (serverPid is { } pid)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
                var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                if (soft is not null && soft != "unlimited" && long.Parse(soft, CultureInfo.InvariantCulture) < needed)
                {
                    Console.Error.WriteLine($"[bench] warning: the server (pid {pid}) may open only {soft} files; {connections} connections need about {needed}.");
                }
            }
            catch (IOException)
            {
            }
        }
    }
}
