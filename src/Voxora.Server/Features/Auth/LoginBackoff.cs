using Microsoft.Extensions.Caching.Memory;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Exponential back-off after repeated failed logins, per account and per client address. The first
/// few failures are free; after that each one doubles the wait (1 s, 2 s, 4 s … up to the maximum).
/// Entries live in a size-bounded cache so guessing random usernames cannot grow memory without end.
/// Held per node; with several nodes each enforces its own count (documented in docs/security.md).
/// </summary>
public sealed class LoginBackoff(AuthOptions options, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly MemoryCache failures = new(new MemoryCacheOptions { SizeLimit = 200_000 });
    private readonly Lock gate = new();

    private sealed class Entry
    {
        public int Failures;
        public DateTimeOffset LockedUntil;
    }

    /// <summary>How long the caller must still wait, or null if it may try now.</summary>
    public TimeSpan? RetryAfter(string account, string ip)
    {
        var now = clock.GetUtcNow();
        var wait = TimeSpan.Zero;
        lock (gate)
        {
            foreach (var key in Keys(account, ip))
            {
                if (failures.TryGetValue(key, out Entry? entry) && entry!.LockedUntil > now && entry.LockedUntil - now > wait)
                {
                    wait = entry.LockedUntil - now;
                }
            }
        }

        return wait > TimeSpan.Zero ? wait : null;
    }

    public void RecordFailure(string account, string ip)
    {
        var now = clock.GetUtcNow();
        lock (gate)
        {
            Bump(AccountKey(account), options.AccountFreeFailures, now);
            Bump(IpKey(ip), options.IpFreeFailures, now);
        }
    }

    /// <summary>A correct password clears the account's count; the address keeps its record.</summary>
    public void RecordSuccess(string account)
    {
        lock (gate)
        {
            failures.Remove(AccountKey(account));
        }
    }

    private void Bump(string key, int free, DateTimeOffset now)
    {
        if (!failures.TryGetValue(key, out Entry? entry))
        {
            entry = new Entry();
        }

        entry!.Failures++;
        var over = entry.Failures - free;
        if (over > 0)
        {
            var seconds = Math.Min(options.MaxBackoffSeconds, Math.Pow(2, Math.Min(over - 1, 30)));
            entry.LockedUntil = now.AddSeconds(seconds);
        }

        failures.Set(key, entry, new MemoryCacheEntryOptions
        {
            Size = 1,
            AbsoluteExpirationRelativeToNow = Window + TimeSpan.FromSeconds(options.MaxBackoffSeconds),
        });
    }

    private static string AccountKey(string account) => "a:" + account.ToLowerInvariant();

    private static string IpKey(string ip) => "i:" + ip;

    private static IEnumerable<string> Keys(string account, string ip) => [AccountKey(account), IpKey(ip)];

    public void Dispose() => failures.Dispose();
}
