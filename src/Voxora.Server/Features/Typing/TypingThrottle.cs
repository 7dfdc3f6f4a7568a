using System.Collections.Concurrent;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Typing;

/// <summary>
/// At most one TYPING_START per <see cref="Interval"/> per (user, channel), for the whole cluster: a user typing on two
/// connections held by two nodes is still announced once. On a cluster the claim is one Redis <c>SET NX PX</c> (the
/// shared state of <see cref="SharedLimits"/>); on one node, or while Redis cannot be reached, it is kept here in
/// memory (an outage loosens it to "per node", as every shared limit).
/// </summary>
public sealed class TypingThrottle(SharedLimits shared, TimeProvider clock)
{
    /// <summary>Seed 000 §P2-2: max one typing event per 5 seconds per user per channel.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    // Expired claims are swept every this many new claims, so the map holds about the last few seconds of typists.
    private const int SweepEvery = 1024;

    // (user, channel) -> the clock timestamp until which that pair is not announced again.
    private readonly ConcurrentDictionary<(string UserId, string ChannelId), long> quietUntil = new();
    private int claimsSinceSweep;

    /// <summary>True when this typing event is to be announced; false while an earlier one of the pair is within <see cref="Interval"/>.</summary>
    public async ValueTask<bool> TryClaimAsync(string userId, string channelId)
    {
        if (shared.Enabled)
        {
            var claimed = await shared.ClaimAsync($"typing:{userId}:{channelId}", "1", Interval);
            if (claimed.Answered)
            {
                return claimed.Value;
            }
        }

        return TryClaimHere(userId, channelId);
    }

    /// <summary>The in-memory claim (one node, or Redis unreachable).</summary>
    public bool TryClaimHere(string userId, string channelId)
    {
        var key = (userId, channelId);
        var now = clock.GetTimestamp();
        var until = now + (long)(Interval.TotalSeconds * clock.TimestampFrequency);
        while (true)
        {
            if (quietUntil.TryGetValue(key, out var current))
            {
                if (now < current)
                {
                    return false;
                }

                if (quietUntil.TryUpdate(key, until, current))
                {
                    return true;
                }
            }
            else if (quietUntil.TryAdd(key, until))
            {
                if (Interlocked.Increment(ref claimsSinceSweep) >= SweepEvery)
                {
                    Interlocked.Exchange(ref claimsSinceSweep, 0);
                    Sweep(now);
                }

                return true;
            }
        }
    }

    /// <summary>How many (user, channel) pairs are held in memory (for tests of the sweep).</summary>
    internal int HeldHere => quietUntil.Count;

    private void Sweep(long now)
    {
        foreach (var (key, until) in quietUntil)
        {
            if (until <= now)
            {
                // Removes only if unchanged: a claim renewed meanwhile stays.
                quietUntil.TryRemove(new KeyValuePair<(string, string), long>(key, until));
            }
        }
    }
}
