namespace Voxora.Server.Gateway;

/// <summary>
/// Inbound event limit per connection: <c>capacity</c> events at once, refilled continuously at
/// <c>capacity</c> per <c>period</c>. Not thread-safe: each connection's reader owns one, and
/// <see cref="KeyedTokenBuckets"/> guards its buckets with a lock.
/// </summary>
public sealed class TokenBucket(int capacity, TimeSpan period, long nowTicksMs)
{
    private readonly double refillPerMs = capacity / period.TotalMilliseconds;
    private double tokens = capacity;
    private long lastMs = nowTicksMs;

    public bool TryTake(long nowTicksMs)
    {
        Refill(nowTicksMs);
        if (tokens < 1)
        {
            return false;
        }

        tokens -= 1;
        return true;
    }

    /// <summary>How long until the next token arrives (zero when one is available).</summary>
    public TimeSpan UntilNextToken(long nowTicksMs)
    {
        Refill(nowTicksMs);
        return tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromMilliseconds((1 - tokens) / refillPerMs);
    }

    /// <summary>True once the bucket has refilled completely: forgetting it changes nothing.</summary>
    public bool IsFull(long nowTicksMs)
    {
        Refill(nowTicksMs);
        return tokens >= capacity;
    }

    private void Refill(long nowTicksMs)
    {
        var elapsed = Math.Max(0, nowTicksMs - lastMs);
        lastMs = Math.Max(lastMs, nowTicksMs);
        tokens = Math.Min(capacity, tokens + (elapsed * refillPerMs));
    }
}

/// <summary>
/// One <see cref="TokenBucket"/> per key (a client address, a user id), created on first use and
/// forgotten by <see cref="Prune"/> once full again, so idle keys hold no memory. Thread-safe.
/// </summary>
public sealed class KeyedTokenBuckets(int perMinute)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, TokenBucket> buckets = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (gate)
            {
                return buckets.Count;
            }
        }
    }

    /// <summary>Takes a token for <paramref name="key"/>; when none is left, says how long until one is.</summary>
    public bool TryTake(string key, long nowTicksMs, out TimeSpan retryAfter)
    {
        lock (gate)
        {
            if (!buckets.TryGetValue(key, out var bucket))
            {
                bucket = new TokenBucket(perMinute, TimeSpan.FromMinutes(1), nowTicksMs);
                buckets[key] = bucket;
            }

            if (bucket.TryTake(nowTicksMs))
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = bucket.UntilNextToken(nowTicksMs);
            return false;
        }
    }

    public void Prune(long nowTicksMs)
    {
        lock (gate)
        {
            foreach (var (key, bucket) in buckets)
            {
                if (bucket.IsFull(nowTicksMs))
                {
                    buckets.Remove(key);
                }
            }
        }
    }
}
