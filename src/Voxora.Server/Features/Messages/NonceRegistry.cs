using System.Collections.Concurrent;
using Voxora.Protocol;

namespace Voxora.Server.Features.Messages;

/// <summary>
/// <c>enforce_nonce</c> (as in Discord): a POST that repeats an author's nonce in the same channel within
/// <see cref="Window"/> gets the message the first one created instead of a second copy, so a client may retry a
/// send whose answer was lost. Concurrent repeats wait for the first. Keys include the author, so nobody can
/// probe someone else's nonces. Per node and in memory: a retry that reaches another node, or comes after a
/// restart, is not deduplicated.
/// </summary>
public sealed class NonceRegistry(TimeProvider clock)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<(string Author, string Channel, string Nonce), Entry> entries = new();
    private long lastSweep;

    /// <summary>
    /// Claims the nonce. Returns null when this request is the first (it must then call <see cref="Complete"/> or
    /// <see cref="Abandon"/>), or the first request's outcome to answer with.
    /// </summary>
    public Task<Message>? Claim(string authorId, string channelId, string nonce, out object? ticket)
    {
        Sweep();
        var key = (authorId, channelId, nonce);
        var mine = new Entry(clock.GetUtcNow() + Window);
        while (true)
        {
            var existing = entries.GetOrAdd(key, mine);
            if (ReferenceEquals(existing, mine))
            {
                ticket = mine;
                return null;
            }

            if (existing.Expires > clock.GetUtcNow())
            {
                ticket = null;
                return existing.Outcome.Task;
            }

            entries.TryRemove(KeyValuePair.Create(key, existing));
        }
    }

    /// <summary>The first request saved its message.</summary>
    public static void Complete(object ticket, Message message) => ((Entry)ticket).Outcome.TrySetResult(message);

    /// <summary>The first request failed: the nonce is free again, and whoever waited on it retries.</summary>
    public void Abandon(string authorId, string channelId, string nonce, object ticket)
    {
        var entry = (Entry)ticket;
        entries.TryRemove(KeyValuePair.Create((authorId, channelId, nonce), entry));
        entry.Outcome.TrySetException(new NonceAbandonedException());
    }

    /// <summary>Drops expired entries now and then, and everything expired once the table is full.</summary>
    private void Sweep()
    {
        var now = clock.GetUtcNow();
        var last = Interlocked.Read(ref lastSweep);
        if (entries.Count < MaxEntries && now.ToUnixTimeMilliseconds() - last < 30_000)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref lastSweep, now.ToUnixTimeMilliseconds(), last) != last)
        {
            return;
        }

        foreach (var (key, entry) in entries)
        {
            if (entry.Expires <= now)
            {
                entries.TryRemove(KeyValuePair.Create(key, entry));
            }
        }
    }

    private sealed class Entry(DateTimeOffset expires)
    {
        public DateTimeOffset Expires { get; } = expires;
        public TaskCompletionSource<Message> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The request that first used a nonce failed, so a repeat of it is handled as a new send.</summary>
public sealed class NonceAbandonedException() : Exception("the first request with this nonce failed");
