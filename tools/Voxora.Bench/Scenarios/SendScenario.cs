using System.Globalization;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// <c>send</c>: C concurrent senders POST messages to one channel for D seconds (closed loop) → messages/s and
/// POST latency; or, with <c>--rate R</c>, an open-loop offered rate → latency at that rate.
/// </summary>
public static class SendScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchWorld world, BenchOptions o, CancellationToken ct)
    {
        var users = o.Users > 0 ? o.Users : Math.Min(o.Concurrency, 8);
        await world.EnsureUsersAsync(users, ct);
        await world.RefreshIfOldAsync(ct);
        // With several nodes the senders post to them round-robin (worker or message n to node n mod N).
        var clients = world.SpreadOverNodes(world.Users.Take(users).ToList());
        var result = new ScenarioResult("send", world.Target.Provider);
        result.Parameters["nodes"] = world.Target.NodeAddresses.Count.ToString(CultureInfo.InvariantCulture);
        result.Parameters["users"] = users.ToString(CultureInfo.InvariantCulture);
        result.Parameters["duration_s"] = o.DurationSeconds.ToString(CultureInfo.InvariantCulture);
        result.Parameters["warmup_s"] = o.WarmupSeconds.ToString(CultureInfo.InvariantCulture);

        SendStats stats;
        ResourceWatch watch;
        if (o.Rate > 0)
        {
            result.Parameters["mode"] = "open-loop";
            result.Parameters["rate"] = o.Rate.ToString(CultureInfo.InvariantCulture);
            if (o.WarmupSeconds > 0)
            {
                await Senders.OpenLoopAsync(clients, world.Channel.Id, o.Rate, TimeSpan.FromSeconds(o.WarmupSeconds), 0, null, record: false, ct);
            }

            watch = new ResourceWatch(world.Target);
            stats = await Senders.OpenLoopAsync(clients, world.Channel.Id, o.Rate, TimeSpan.FromSeconds(o.DurationSeconds), 0, null, record: true, ct);
            result.Add("offered_rate", o.Rate);
        }
        else
        {
            result.Parameters["mode"] = "closed-loop";
            result.Parameters["concurrency"] = o.Concurrency.ToString(CultureInfo.InvariantCulture);
            watch = new ResourceWatch(world.Target);
            stats = await Senders.ClosedLoopAsync(clients, world.Channel.Id, o.Concurrency, TimeSpan.FromSeconds(o.WarmupSeconds), TimeSpan.FromSeconds(o.DurationSeconds), ct);
        }

        result.Add("messages_per_s", stats.Ok / stats.Seconds);
        result.Add("messages", stats.Ok);
        result.Add("errors", stats.Failed);
        result.AddLatency("post", stats.Latency);
        if (stats.Late > 0)
        {
            result.Add("generator_late", stats.Late);
        }

        await watch.FinishAsync(result, stats.AllOk, "message");
        if (stats.Failed > 0)
        {
            result.Failures.Add($"{stats.Failed} POSTs failed; first: {stats.FirstError}");
        }

        if (stats.Ok == 0)
        {
            result.Failures.Add("no message was sent");
        }

        return result;
    }
}
