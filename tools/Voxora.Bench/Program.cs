using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Voxora.Bench;
using Voxora.Bench.Scenarios;

// The tool's own socket reads complete on the runtime's epoll threads instead of hopping to the thread pool: a
// receiver only scans a frame and counts it, and at 100,000 deliveries/s the hop was a large part of the tool's CPU
// on the cores it shares with the server. The runtime reads the variable once, before the first socket, so it is
// set here; the server the tool starts does not inherit it (BenchTarget removes it unless --server-env sets it).
if (Environment.GetEnvironmentVariable(BenchTarget.InlineSocketCompletions) is null)
{
    Environment.SetEnvironmentVariable(BenchTarget.InlineSocketCompletions, "1");
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine($"voxora-bench: {ex.Message}\n\n{BenchOptions.Usage}");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

try
{
    var runs = await Bench.RunAsync(options, cts.Token);
    Console.WriteLine(Report.Markdown(runs));
    return runs.All(r => r.Ok) ? 0 : 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("voxora-bench: cancelled");
    return 130;
}

namespace Voxora.Bench
{
    /// <summary>Starts (or finds) the server, sets up the world, runs the scenario --repeat times, writes --out.</summary>
    public static class Bench
    {
        public static async Task<List<ScenarioResult>> RunAsync(BenchOptions o, CancellationToken ct)
        {
            var started = TimeProvider.System.GetUtcNow();
            await using var target = await BenchTarget.FromOptionsAsync(o, ct);
            Console.Error.WriteLine(
                $"[bench] server {string.Join(", ", target.NodeAddresses)} ({target.Provider}, pid {(target.ServerPids.Count > 0 ? string.Join(", ", target.ServerPids) : "unknown")}"
                + (target.RedisConfiguration is { } redis ? $", Redis {redis}" : "") + ")");
            using var world = await BenchWorld.CreateAsync(target, ct);
            var runs = new List<ScenarioResult>();
            for (var i = 0; i < Math.Max(1, o.Repeat); i++)
            {
                var result = await RunScenarioAsync(world, o, ct);
                runs.Add(result);
                Console.Error.WriteLine($"[bench] run {i + 1}/{o.Repeat}: {(result.Ok ? "ok" : "FAILED: " + string.Join("; ", result.Failures))}");
            }

            if (o.Out is not null)
            {
                await Report.WriteJsonAsync(o.Out, runs, Environment(o, target, started));
                Console.Error.WriteLine($"[bench] wrote {o.Out}");
            }

            return runs;
        }

        public static Task<ScenarioResult> RunScenarioAsync(BenchWorld world, BenchOptions o, CancellationToken ct) => o.Scenario switch
        {
            "send" => SendScenario.RunAsync(world, o, ct),
            "fanout" => FanoutScenario.RunAsync(world, o, ct),
            "connections" => ConnectionsScenario.RunAsync(world, o, ct),
            "history" => HistoryScenario.RunAsync(world, o, ct),
            "uploads" => UploadsScenario.RunAsync(world, o, ct),
            "resume" => ResumeScenario.RunAsync(world, o, ct),
            "search" => SearchScenario.RunAsync(world, o, ct),
            _ => throw new ArgumentException($"unknown scenario {o.Scenario}"),
        };

        private static JsonObject Environment(BenchOptions o, BenchTarget target, DateTimeOffset started)
        {
            var memTotal = File.Exists("/proc/meminfo") ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal)) : null;
            return new JsonObject
            {
                ["date_utc"] = started.ToString("u", CultureInfo.InvariantCulture),
                ["command"] = "Voxora.Bench " + string.Join(' ', System.Environment.GetCommandLineArgs().Skip(1)),
                ["cores"] = System.Environment.ProcessorCount,
                ["mem_total"] = memTotal?.Split(':')[1].Trim(),
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                ["provider"] = target.Provider,
                ["nodes"] = target.NodeAddresses.Count,
                ["redis"] = target.RedisConfiguration is null ? "none (in-process bus)" : (target.RedisPid is null ? target.RedisConfiguration : "throwaway " + target.RedisConfiguration),
                ["server"] = o.Url?.ToString() ?? (o.ServerDll ?? BenchTarget.FindServerDll()),
                ["server_log_level"] = o.Url is null ? (o.ServerLogLevel.Length > 0 ? o.ServerLogLevel : "server defaults") : null,
                ["server_env"] = string.Join(' ', o.ServerEnv.Select(kv => kv.Key + "=" + kv.Value)),
                ["bench_pid"] = System.Environment.ProcessId,
                ["stopwatch_hz"] = Stopwatch.Frequency,
            };
        }
    }
}
