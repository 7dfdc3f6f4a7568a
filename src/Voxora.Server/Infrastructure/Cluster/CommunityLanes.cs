using System.Collections.Concurrent;

namespace Voxora.Server.Infrastructure.Cluster;

/// <summary>
/// Keeps this node's work for one community in order while some of it waits for the database. Work runs at once
/// (on the caller's thread, which on a cluster is the bus reader) unless something of the same community is still
/// waiting; then it queues behind it. Work that does not finish synchronously (a permission snapshot being loaded)
/// opens a lane: everything after it for that community waits, in order, and the lane closes when it is empty.
/// This is how a node holds a community's channel dispatches until the snapshot they must be filtered with is
/// loaded, without blocking the bus reader or any other community.
/// </summary>
public sealed class CommunityLanes(ILogger<CommunityLanes> logger)
{
    private readonly ConcurrentDictionary<string, Queue<Func<ValueTask>>> lanes = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>True while work of the community is waiting (so new work must queue behind it).</summary>
    public bool IsBusy(string communityId) => lanes.ContainsKey(communityId);

    /// <summary>Runs <paramref name="work"/> now, or after the community's waiting work.</summary>
    public void Run(string communityId, Func<ValueTask> work)
    {
        lock (gate)
        {
            if (lanes.TryGetValue(communityId, out var waiting))
            {
                waiting.Enqueue(work);
                return;
            }
        }

        ValueTask running;
        try
        {
            running = work();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Work for community {CommunityId} failed", communityId);
            return;
        }

        if (running.IsCompletedSuccessfully)
        {
            return;
        }

        var started = running.AsTask();
        Queue<Func<ValueTask>> lane;
        lock (gate)
        {
            if (lanes.TryGetValue(communityId, out var opened))
            {
                // Another thread opened the lane meanwhile (only on a single node, where concurrent publishers have no
                // order between them anyway): wait for this work in it.
                opened.Enqueue(() => new ValueTask(started));
                return;
            }

            lane = new Queue<Func<ValueTask>>();
            lanes[communityId] = lane;
        }

        _ = DrainAsync(communityId, lane, started);
    }

    private async Task DrainAsync(string communityId, Queue<Func<ValueTask>> lane, Task first)
    {
        await RunLoggedAsync(communityId, () => new ValueTask(first));
        while (true)
        {
            Func<ValueTask>? next;
            lock (gate)
            {
                if (!lane.TryDequeue(out next))
                {
                    lanes.TryRemove(communityId, out _);
                    return;
                }
            }

            await RunLoggedAsync(communityId, next);
        }
    }

    private async Task RunLoggedAsync(string communityId, Func<ValueTask> work)
    {
        try
        {
            await work();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Work for community {CommunityId} failed", communityId);
        }
    }
}
