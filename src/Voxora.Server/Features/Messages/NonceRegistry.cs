using System.Collections.Concurrent;
using System.Text.Json;
using Voxora.Protocol;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Messages;

/// <summary>
/// <c>enforce_nonce</c> (as in Discord): a POST that repeats an author's nonce in the same channel within
/// <see cref="Window"/> gets the message the first one created instead of a second copy, so a client may retry a
/// send whose answer was lost. Concurrent repeats wait for the first. Keys include the author, so nobody can
/// probe someone else's nonces.
/// <para>On one node the claims live in memory. On a cluster they live in Redis (<c>SET NX</c>), so a retry that reaches
/// another node is deduplicated too: the claim holds a pending mark while the first request saves, then the first
/// message itself, which a repeat on any node answers with. A pending mark whose node died expires after
/// <see cref="PendingWindow"/>, and a repeat then sends. While Redis is unreachable claims are kept on this node.</para>
/// </summary>
public sealed class NonceRegistry(TimeProvider clock, SharedLimits? shared = null)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>How long a first request may take to save before a repeat elsewhere stops waiting for it (cluster only).</summary>
    public static readonly TimeSpan PendingWindow = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PendingPoll = TimeSpan.FromMilliseconds(50);
    private const string PendingMark = "pending:";
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<(string Author, string Channel, string Nonce), Entry> entries = new();
    private long lastSweep;

    /// <summary>
    /// Claims the nonce: either this request is the first (it then calls <see cref="CompleteAsync"/> or
    /// <see cref="AbandonAsync"/> with the ticket), or the answer is the message the first one created.
    /// </summary>
    public async ValueTask<NonceClaim> ClaimAsync(string authorId, string channelId, string nonce, CancellationToken ct)
    {
        if (shared is not null && shared.Enabled)
        {
            var key = "nonce:" + authorId + ":" + channelId + ":" + nonce;
            var mark = PendingMark + Guid.NewGuid().ToString("N");
            while (true)
            {
                var claimed = await shared.ClaimAsync(key, mark, PendingWindow);
                if (!claimed.Answered)
                {
                    break;
                }

                if (claimed.Value)
                {
                    return new NonceClaim(new SharedTicket(key, mark), null);
                }

                var stored = await shared.ReadAsync(key);
                if (!stored.Answered)
                {
                    break;
                }

                if (stored.Value.IsNull)
                {
                    continue; // the first one failed or its mark expired: claim again
                }

                var text = (string)stored.Value!;
                if (text.StartsWith(PendingMark, StringComparison.Ordinal))
                {
                    await Task.Delay(PendingPoll, clock, ct);
                    continue;
                }

                return new NonceClaim(null, JsonSerializer.Deserialize(text, VoxoraJsonContext.Default.Message));
            }
        }

        while (true)
        {
            var first = Claim(authorId, channelId, nonce, out var ticket);
            if (first is null)
            {
                return new NonceClaim(ticket, null);
            }

            try
            {
                return new NonceClaim(null, await first.WaitAsync(ct));
            }
            catch (NonceAbandonedException)
            {
                // The first attempt failed: this one sends.
            }
        }
    }

    /// <summary>The first request saved its message: repeats get it from now on.</summary>
    public async ValueTask CompleteAsync(object ticket, Message message)
    {
        if (ticket is SharedTicket sharedTicket)
        {
            // Unanswered (Redis down): the pending mark expires and a later repeat sends again, as on a node restart.
            await shared!.ReplaceAsync(sharedTicket.Key, sharedTicket.Mark, JsonSerializer.Serialize(message, VoxoraJsonContext.Default.Message), Window);
            return;
        }

        ((Entry)ticket).Outcome.TrySetResult(message);
    }

    /// <summary>The first request failed: the nonce is free again, and whoever waits on it retries.</summary>
    public async ValueTask AbandonAsync(string authorId, string channelId, string nonce, object ticket)
    {
        if (ticket is SharedTicket sharedTicket)
        {
            await shared!.ReleaseAsync(sharedTicket.Key, sharedTicket.Mark);
            return;
        }

        var entry = (Entry)ticket;
        entries.TryRemove(KeyValuePair.Create((authorId, channelId, nonce), entry));
        entry.Outcome.TrySetException(new NonceAbandonedException());
    }

    /// <summary>Claims the nonce on this node: null when this request is the first, else the first request's outcome.</summary>
    private Task<Message>? Claim(string authorId, string channelId, string nonce, out object? ticket)
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

    private sealed record SharedTicket(string Key, string Mark);

    private sealed class Entry(DateTimeOffset expires)
    {
        public DateTimeOffset Expires { get; } = expires;
        public TaskCompletionSource<Message> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What <see cref="NonceRegistry.ClaimAsync"/> found: a ticket (this request is the first) or the first message.</summary>
public readonly record struct NonceClaim(object? Ticket, Message? First);

/// <summary>The request that first used a nonce failed, so a repeat of it is handled as a new send.</summary>
public sealed class NonceAbandonedException() : Exception("the first request with this nonce failed");
