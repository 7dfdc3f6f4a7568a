using System.Threading.RateLimiting;

namespace Voxora.Server.Infrastructure.Cluster;

/// <summary>
/// One REST rate-limit partition (an address, a user) counted in Redis, so its limit holds for the whole cluster: the
/// same segmented sliding window as the node-local <see cref="SlidingWindowRateLimiter"/>, kept by
/// <see cref="SharedLimits"/>. While Redis cannot be reached the partition counts on this node with that local limiter.
/// <para>Only <see cref="AcquireAsyncCore"/> counts: asking Redis takes a round trip, so the synchronous attempt the
/// rate-limiting middleware makes first answers "not without waiting" and the middleware goes on to the asynchronous
/// acquire (the same path a queueing limiter takes).</para>
/// </summary>
public sealed class SharedWindowRateLimiter(SharedLimits shared, string key, SlidingWindowRateLimiterOptions options) : RateLimiter
{
    private readonly SlidingWindowRateLimiter local = new(options);
    private long lastUsedTicks = Environment.TickCount64;

    // Idle (and so disposable by the partitioned limiter) only once the local fallback holds nothing either.
    public override TimeSpan? IdleDuration =>
        local.IdleDuration is null ? null : TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref lastUsedTicks));

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        permitCount == 0 ? local.AttemptAcquire(0) : new Lease(false, null);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref lastUsedTicks, Environment.TickCount64);
        if (permitCount == 0)
        {
            return local.AttemptAcquire(0);
        }

        var answer = await shared.TryTakeWindowAsync(key, options.PermitLimit, options.Window, options.SegmentsPerWindow);
        if (!answer.Answered)
        {
            return await local.AcquireAsync(permitCount, cancellationToken);
        }

        return answer.Value.Taken ? new Lease(true, null) : new Lease(false, answer.Value.RetryAfter);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            local.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override ValueTask DisposeAsyncCore()
    {
        local.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = wait;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
