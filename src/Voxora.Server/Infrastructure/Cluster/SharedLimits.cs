using StackExchange.Redis;

namespace Voxora.Server.Infrastructure.Cluster;

/// <summary>What a shared store said, or that it could not be asked (no Redis, or Redis unreachable).</summary>
public readonly record struct Shared<T>(bool Answered, T Value)
{
    public static readonly Shared<T> Unavailable = new(false, default!);
}

/// <summary>
/// The counters behind the limits that must hold for the whole cluster (REST rate limits, login back-off,
/// <c>enforce_nonce</c>, gateway admission), kept in Redis under this cluster's prefix. Every check and update is one
/// Lua script, so two nodes counting the same key at the same moment cannot both slip under a limit. Time inside the
/// scripts is Redis's own clock (<c>TIME</c>), so nodes whose clocks drift still share one window.
/// <para>Each method answers <see cref="Shared{T}.Unavailable"/> when Redis is not configured or cannot be reached;
/// callers then count on this node alone (docs/security.md: a Redis outage loosens a limit to "per node", it neither
/// refuses everyone nor lifts the limits). The outage is logged once, and again after each recovery.</para>
/// </summary>
public sealed class SharedLimits
{
    // Segmented sliding window (as System.Threading.RateLimiting.SlidingWindowRateLimiter): a hash of segment → count.
    // KEYS[1] hash; ARGV: limit, window ms, segments. Returns {1, 0} when taken, {0, retry-after ms} when refused.
    private const string WindowScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local segmentMs = math.floor(window / tonumber(ARGV[3]))
        local current = math.floor(now / segmentMs)
        local oldest = current - tonumber(ARGV[3]) + 1
        local fields = redis.call('HGETALL', KEYS[1])
        local used = 0
        local first = nil
        for i = 1, #fields, 2 do
            local segment = tonumber(fields[i])
            if segment < oldest then
                redis.call('HDEL', KEYS[1], fields[i])
            else
                local count = tonumber(fields[i + 1])
                used = used + count
                if count > 0 and (first == nil or segment < first) then first = segment end
            end
        end
        if used >= limit then
            return {0, (first + tonumber(ARGV[3])) * segmentMs - now}
        end
        redis.call('HINCRBY', KEYS[1], tostring(current), 1)
        redis.call('PEXPIRE', KEYS[1], window)
        return {1, 0}
        """;

    // Token bucket (as Gateway.TokenBucket): capacity tokens, refilled at capacity per period.
    // KEYS[1] hash {tokens, at}; ARGV: capacity, period ms. Returns {1, 0} or {0, ms until the next token}.
    private const string BucketScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local capacity = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local perMs = capacity / period
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        if now > at then tokens = math.min(capacity, tokens + (now - at) * perMs) end
        if tokens < 1 then
            return {0, math.ceil((1 - tokens) / perMs)}
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
        redis.call('PEXPIRE', KEYS[1], period)
        return {1, 0}
        """;

    // Back-off failure count (as Features.Auth.BackoffCounters). KEYS[1] hash {failures, until}; ARGV: free, max
    // seconds, keep ms. Waits double from 1 s past the free failures.
    private const string FailureScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
        local over = failures - tonumber(ARGV[1])
        if over > 0 then
            local seconds = math.min(tonumber(ARGV[2]), 2 ^ math.min(over - 1, 30))
            redis.call('HSET', KEYS[1], 'until', now + seconds * 1000)
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return failures
        """;

    // The longest remaining wait (ms) among KEYS, 0 when none.
    private const string WaitScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local longest = 0
        for i = 1, #KEYS do
            local untilMs = tonumber(redis.call('HGET', KEYS[i], 'until'))
            if untilMs ~= nil and untilMs - now > longest then longest = untilMs - now end
        end
        return longest
        """;

    // Open connections as a sorted set of connection ids scored by when they stop counting unless refreshed.
    // KEYS[1] set; ARGV: max, member, ttl ms, '1' to admit past the max. Returns 1 admitted, 0 at the cap.
    private const string JoinScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if ARGV[4] ~= '1' and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
            return 0
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    // Keeps a live connection counting for another ttl (only if it is still there). KEYS[1] set; ARGV: member, ttl ms.
    private const string RefreshScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 1
        """;

    // Deletes KEYS[1] only while it still holds ARGV[1] (a nonce claim that is still ours).
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    // Sets KEYS[1] to ARGV[2] for ARGV[3] ms only while it still holds ARGV[1] (a script: compare-and-set needs Redis 8.4).
    private const string ReplaceScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            return 1
        end
        return 0
        """;

    private readonly ClusterConnection connection;
    private readonly ILogger<SharedLimits> logger;
    private int outageLogged;

    public SharedLimits(ClusterConnection connection, ILogger<SharedLimits> logger)
    {
        this.connection = connection;
        this.logger = logger;
        if (connection.Multiplexer is { } multiplexer)
        {
            multiplexer.ConnectionRestored += (_, _) =>
            {
                if (Interlocked.Exchange(ref outageLogged, 0) == 1)
                {
                    logger.LogWarning("Redis is back: rate limits, login back-off, enforce_nonce and gateway admission are shared by the cluster again");
                }
            };
        }
    }

    /// <summary>True when limits are kept in Redis (the node is part of a cluster), even while Redis is down.</summary>
    public bool Enabled => connection.Enabled;

    /// <summary>Takes one permit of a sliding window of <paramref name="limit"/> per <paramref name="window"/>; refused: how long until one frees.</summary>
    public Task<Shared<(bool Taken, TimeSpan RetryAfter)>> TryTakeWindowAsync(string key, int limit, TimeSpan window, int segments) =>
        TakeAsync(WindowScript, "rl:" + key, [limit, (long)window.TotalMilliseconds, segments]);

    /// <summary>Takes one token of a bucket of <paramref name="capacity"/> refilled over <paramref name="period"/>.</summary>
    public Task<Shared<(bool Taken, TimeSpan RetryAfter)>> TryTakeTokenAsync(string key, int capacity, TimeSpan period) =>
        TakeAsync(BucketScript, "tb:" + key, [capacity, (long)period.TotalMilliseconds]);

    /// <summary>The longest back-off still running among <paramref name="keys"/>, or null.</summary>
    public Task<Shared<TimeSpan?>> BackoffWaitAsync(params string[] keys) =>
        RunAsync(async db =>
        {
            var ms = (long)await db.ScriptEvaluateAsync(WaitScript, [.. keys.Select(k => connection.Key("bo:" + k))]);
            return ms > 0 ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        });

    /// <summary>Counts a failure of <paramref name="key"/>; the counts are forgotten after <paramref name="keep"/> without one.</summary>
    public Task<Shared<bool>> RecordBackoffFailureAsync(string key, int free, int maxBackoffSeconds, TimeSpan keep) =>
        RunAsync(async db =>
        {
            await db.ScriptEvaluateAsync(FailureScript, [connection.Key("bo:" + key)], [free, maxBackoffSeconds, (long)keep.TotalMilliseconds]);
            return true;
        });

    public Task<Shared<bool>> ForgetBackoffAsync(string key) =>
        RunAsync(async db => await db.KeyDeleteAsync(connection.Key("bo:" + key)) || true);

    /// <summary>
    /// Counts <paramref name="member"/> among the open connections of <paramref name="key"/> unless it already holds
    /// <paramref name="max"/> (<paramref name="pastMax"/> admits it anyway). It stops counting after <paramref name="ttl"/>
    /// unless <see cref="RefreshConnectionAsync"/> keeps it, so a node that dies stops holding its connections.
    /// </summary>
    public Task<Shared<bool>> TryJoinAsync(string key, string member, int max, bool pastMax, TimeSpan ttl) =>
        RunAsync(async db => (long)await db.ScriptEvaluateAsync(JoinScript, [connection.Key("cn:" + key)],
            [max, member, (long)ttl.TotalMilliseconds, pastMax ? "1" : "0"]) == 1);

    public Task<Shared<bool>> RefreshConnectionAsync(string key, string member, TimeSpan ttl) =>
        RunAsync(async db =>
        {
            await db.ScriptEvaluateAsync(RefreshScript, [connection.Key("cn:" + key)], [member, (long)ttl.TotalMilliseconds]);
            return true;
        });

    public Task<Shared<bool>> LeaveAsync(string key, string member) =>
        RunAsync(async db => await db.SortedSetRemoveAsync(connection.Key("cn:" + key), member));

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> for <paramref name="ttl"/> if it is not set; true when this call set it.</summary>
    public Task<Shared<bool>> ClaimAsync(string key, string value, TimeSpan ttl) =>
        RunAsync(db => db.StringSetAsync(connection.Key(key), value, ttl, When.NotExists));

    public Task<Shared<RedisValue>> ReadAsync(string key) =>
        RunAsync(db => db.StringGetAsync(connection.Key(key)));

    /// <summary>Replaces the value of <paramref name="key"/> while it still holds <paramref name="expected"/>.</summary>
    public Task<Shared<bool>> ReplaceAsync(string key, string expected, string value, TimeSpan ttl) =>
        RunAsync(async db => (long)await db.ScriptEvaluateAsync(ReplaceScript, [connection.Key(key)], [expected, value, (long)ttl.TotalMilliseconds]) == 1);

    /// <summary>Deletes <paramref name="key"/> while it still holds <paramref name="expected"/>.</summary>
    public Task<Shared<bool>> ReleaseAsync(string key, string expected) =>
        RunAsync(async db => (long)await db.ScriptEvaluateAsync(ReleaseScript, [connection.Key(key)], [expected]) == 1);

    private Task<Shared<(bool Taken, TimeSpan RetryAfter)>> TakeAsync(string script, string key, RedisValue[] arguments) =>
        RunAsync(async db =>
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(script, [connection.Key(key)], arguments))!;
            return ((long)result[0] == 1, TimeSpan.FromMilliseconds(Math.Max(0, (long)result[1])));
        });

    private async Task<Shared<T>> RunAsync<T>(Func<IDatabase, Task<T>> operation)
    {
        if (connection.Multiplexer is not { } multiplexer)
        {
            return Shared<T>.Unavailable;
        }

        if (!multiplexer.IsConnected)
        {
            LogOutage(null);
            return Shared<T>.Unavailable;
        }

        try
        {
            return new Shared<T>(true, await operation(multiplexer.GetDatabase()));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogOutage(ex);
            return Shared<T>.Unavailable;
        }
    }

    private void LogOutage(Exception? ex)
    {
        if (Interlocked.Exchange(ref outageLogged, 1) == 0)
        {
            logger.LogWarning(ex, "Redis is unreachable: rate limits, login back-off, enforce_nonce and gateway admission count on this node alone until it returns");
        }
    }
}
