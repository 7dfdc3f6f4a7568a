namespace Voxora.Server.Gateway;

/// <summary>
/// Inbound event limit per connection: <c>capacity</c> events at once, refilled continuously at
/// <c>capacity</c> per <c>period</c>. Not thread-safe: each connection's reader owns one.
/// </summary>
public sealed class TokenBucket(int capacity, TimeSpan period, long nowTicksMs)
{
    private readonly double refillPerMs = capacity / period.TotalMilliseconds;
    private double tokens = capacity;
    private long lastMs = nowTicksMs;

    public bool TryTake(long nowTicksMs)
    {
        var elapsed = Math.Max(0, nowTicksMs - lastMs);
        lastMs = nowTicksMs;
        tokens = Math.Min(capacity, tokens + (elapsed * refillPerMs));
        if (tokens < 1)
        {
            return false;
        }

        tokens -= 1;
        return true;
    }
}
