using Microsoft.Extensions.Logging.Abstractions;
using Voxora.Server.Features.Typing;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Tests.Unit;

/// <summary>The in-memory typing throttle (one node, or Redis unreachable): one announcement per 5 s per user and channel.</summary>
public sealed class TypingThrottleTests
{
    private static (TypingThrottle Throttle, TypingThrottleClock Clock) Create()
    {
        var clock = new TypingThrottleClock();
        var notClustered = new SharedLimits(new ClusterConnection(new ServerOptions(), NullLogger<ClusterConnection>.Instance), NullLogger<SharedLimits>.Instance);
        return (new TypingThrottle(notClustered, clock), clock);
    }

    [Fact]
    public async Task One_claim_per_user_and_channel_per_5_seconds()
    {
        var (throttle, clock) = Create();

        Assert.True(await throttle.TryClaimAsync("usr_a", "ch_1"));
        Assert.False(await throttle.TryClaimAsync("usr_a", "ch_1"));
        // Other pairs are independent.
        Assert.True(await throttle.TryClaimAsync("usr_a", "ch_2"));
        Assert.True(await throttle.TryClaimAsync("usr_b", "ch_1"));

        clock.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(await throttle.TryClaimAsync("usr_a", "ch_1"));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await throttle.TryClaimAsync("usr_a", "ch_1"));
        Assert.False(await throttle.TryClaimAsync("usr_a", "ch_1"));
    }

    [Fact]
    public void A_refused_claim_does_not_extend_the_quiet_time()
    {
        var (throttle, clock) = Create();
        Assert.True(throttle.TryClaimHere("usr_a", "ch_1"));
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.False(throttle.TryClaimHere("usr_a", "ch_1"));
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.TryClaimHere("usr_a", "ch_1"));
    }

    [Fact]
    public async Task Concurrent_claims_of_one_pair_let_exactly_one_through()
    {
        var (throttle, _) = Create();
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => throttle.TryClaimHere("usr_a", "ch_1"))));
        Assert.Single(results, r => r);
    }

    [Fact]
    public void Expired_claims_are_swept_so_memory_holds_only_recent_typists()
    {
        var (throttle, clock) = Create();
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(throttle.TryClaimHere($"usr_{i}", "ch_1"));
        }

        clock.Advance(TimeSpan.FromSeconds(6));
        for (var i = 0; i < 100; i++)
        {
            Assert.True(throttle.TryClaimHere($"usr_new_{i}", "ch_1"));
        }

        Assert.InRange(throttle.HeldHere, 1, 100);
    }
}
