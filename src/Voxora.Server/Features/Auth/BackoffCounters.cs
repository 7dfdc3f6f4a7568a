using Microsoft.Extensions.Caching.Memory;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Failure counters with exponential back-off, by key. The first <c>free</c> failures cost nothing;
/// each one after that doubles the wait (1 s, 2 s, 4 s … up to the maximum). A key is forgotten once it
/// has seen no failure for the window plus the longest wait. Held in memory per node, in a size-bounded
/// cache so guessing random usernames cannot grow memory without end. On a cluster <see cref="LoginBackoff"/>
/// keeps the same counts in Redis instead (<c>SharedLimits</c>) and uses these only while Redis is unreachable.
/// </summary>
public sealed class BackoffCounters(TimeProvider clock, int maxBackoffSeconds) : IDisposable
{
    /// <summary>How long a key's failures are remembered after its last one (plus the longest wait).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly MemoryCache entries = new(new MemoryCacheOptions { SizeLimit = 200_000 });
    private readonly Lock gate = new();

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset WaitUntil;
    }

    /// <summary>How long the key must still wait, or null if it may try now.</summary>
    public TimeSpan? Wait(string key)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            return entries.TryGetValue(key, out Entry? entry) && entry!.WaitUntil > now ? entry.WaitUntil - now : null;
        }
    }

    public void RecordFailure(string key, int free)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            if (!entries.TryGetValue(key, out Entry? entry))
            {
                entry = new Entry();
            }

            entry!.Failures++;
            var over = entry.Failures - free;
            if (over > 0)
            {
                var seconds = Math.Min(maxBackoffSeconds, Math.Pow(2, Math.Min(over - 1, 30)));
                entry.WaitUntil = now.AddSeconds(seconds);
            }

            entries.Set(key, entry, new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpirationRelativeToNow = Window + TimeSpan.FromSeconds(maxBackoffSeconds),
            });
        }
    }

    public void Forget(string key)
    {
        lock (gate)
        {
            entries.Remove(key);
        }
    }

    public void Dispose() => entries.Dispose();
}
