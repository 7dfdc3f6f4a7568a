using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Gateway;

/// <summary>
/// Who may open a gateway connection and identify on it: open connections per client address and
/// upgrades per minute per address (checked at the HTTP upgrade), identified connections per user,
/// and IDENTIFY/RESUME attempts per minute per user and per address. Without these one token (or one
/// address) could hold thousands of sockets and sessions (security review, issue 12 finding 6).
/// <para>The synchronous methods count on this node. On a cluster the <c>…Async</c> ones count in Redis, so the caps hold
/// for the whole cluster: open connections are members of a sorted set per user and per address that stop counting
/// <see cref="SharedConnectionTtl"/> after the node last refreshed them (<see cref="RefreshSharedAsync"/>), so a node that
/// dies stops holding its clients' places within a minute; the per-minute limits are shared token buckets. This node's
/// own counts are kept as well and used alone while Redis is unreachable.</para>
/// </summary>
public sealed class GatewayAdmission(GatewayOptions options, SharedLimits? shared = null)
{
    /// <summary>How long an open connection keeps counting in Redis without a refresh from its node.</summary>
    public static readonly TimeSpan SharedConnectionTtl = TimeSpan.FromSeconds(45);

    /// <summary>How often a node refreshes its open connections in Redis (well inside <see cref="SharedConnectionTtl"/>).</summary>
    public static readonly TimeSpan SharedRefreshPeriod = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    // Per shared key ("a:address", "u:user"): the Redis member of each open connection this node admitted, or null for
    // one admitted while Redis was unreachable. Any member of the key stands for any of its connections.
    private readonly Dictionary<string, List<string?>> sharedMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> connectionsByAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> connectionsByUser = new(StringComparer.Ordinal);
    private readonly KeyedTokenBuckets upgradesByAddress = new(options.UpgradesPerMinutePerAddress);
    private readonly KeyedTokenBuckets identifiesByAddress = new(options.IdentifiesPerMinutePerAddress);
    private readonly KeyedTokenBuckets identifiesByUser = new(options.IdentifiesPerMinutePerUser);

    /// <summary>How long a client refused for holding too many connections should wait before trying again.</summary>
    public static readonly TimeSpan ConnectionCapRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>Admits a WebSocket upgrade from <paramref name="address"/>, or says why not and how long to wait.</summary>
    public UpgradeVerdict TryOpen(string address, long nowTicksMs, out TimeSpan retryAfter)
    {
        lock (gate)
        {
            var open = connectionsByAddress.GetValueOrDefault(address);
            if (open >= options.MaxConnectionsPerAddress)
            {
                retryAfter = ConnectionCapRetryAfter;
                return UpgradeVerdict.TooManyConnections;
            }

            if (!upgradesByAddress.TryTake(address, nowTicksMs, out retryAfter))
            {
                return UpgradeVerdict.RateLimited;
            }

            connectionsByAddress[address] = open + 1;
            return UpgradeVerdict.Admitted;
        }
    }

    /// <summary>A connection admitted by <see cref="TryOpen"/> or <see cref="TryOpenAsync"/> ended.</summary>
    public void Closed(string address)
    {
        Decrement(connectionsByAddress, address);
        ReleaseShared("a:" + address);
    }

    /// <summary><see cref="TryOpen"/> for the whole cluster (the same checks, in the same order).</summary>
    public async ValueTask<(UpgradeVerdict Verdict, TimeSpan RetryAfter)> TryOpenAsync(string address, long nowTicksMs)
    {
        if (shared is not { Enabled: true })
        {
            return (TryOpen(address, nowTicksMs, out var localWait), localWait);
        }

        var member = Guid.NewGuid().ToString("N");
        var joined = await shared.TryJoinAsync("a:" + address, member, options.MaxConnectionsPerAddress, pastMax: false, SharedConnectionTtl);
        if (!joined.Answered)
        {
            var verdict = TryOpen(address, nowTicksMs, out var localWait);
            if (verdict == UpgradeVerdict.Admitted)
            {
                TrackShared("a:" + address, null);
            }

            return (verdict, localWait);
        }

        if (!joined.Value)
        {
            return (UpgradeVerdict.TooManyConnections, ConnectionCapRetryAfter);
        }

        var token = await shared.TryTakeTokenAsync("gw:up:" + address, options.UpgradesPerMinutePerAddress, Minute);
        var retryAfter = token.Value.RetryAfter;
        if (token.Answered ? !token.Value.Taken : !upgradesByAddress.TryTake(address, nowTicksMs, out retryAfter))
        {
            await shared.LeaveAsync("a:" + address, member);
            return (UpgradeVerdict.RateLimited, retryAfter);
        }

        lock (gate)
        {
            connectionsByAddress[address] = connectionsByAddress.GetValueOrDefault(address) + 1;
        }

        TrackShared("a:" + address, member);
        return (UpgradeVerdict.Admitted, TimeSpan.Zero);
    }

    /// <summary><see cref="TryIdentifyFromAddress"/> for the whole cluster.</summary>
    public async ValueTask<bool> TryIdentifyFromAddressAsync(string address, long nowTicksMs) =>
        shared is { Enabled: true } && await shared.TryTakeTokenAsync("gw:id:a:" + address, options.IdentifiesPerMinutePerAddress, Minute) is { Answered: true } answer
            ? answer.Value.Taken
            : TryIdentifyFromAddress(address, nowTicksMs);

    /// <summary><see cref="TryIdentifyAsUser"/> for the whole cluster.</summary>
    public async ValueTask<bool> TryIdentifyAsUserAsync(string userId, long nowTicksMs) =>
        shared is { Enabled: true } && await shared.TryTakeTokenAsync("gw:id:u:" + userId, options.IdentifiesPerMinutePerUser, Minute) is { Answered: true } answer
            ? answer.Value.Taken
            : TryIdentifyAsUser(userId, nowTicksMs);

    /// <summary><see cref="TryAdmitUser"/> for the whole cluster: the user's identified connections on every node count.</summary>
    public async ValueTask<bool> TryAdmitUserAsync(string userId, bool replacesOpenConnection)
    {
        if (shared is not { Enabled: true })
        {
            return TryAdmitUser(userId, replacesOpenConnection);
        }

        var member = Guid.NewGuid().ToString("N");
        var joined = await shared.TryJoinAsync("u:" + userId, member, options.MaxConnectionsPerUser, replacesOpenConnection, SharedConnectionTtl);
        if (!joined.Answered)
        {
            if (!TryAdmitUser(userId, replacesOpenConnection))
            {
                return false;
            }

            TrackShared("u:" + userId, null);
            return true;
        }

        if (!joined.Value)
        {
            return false;
        }

        lock (gate)
        {
            connectionsByUser[userId] = connectionsByUser.GetValueOrDefault(userId) + 1;
        }

        TrackShared("u:" + userId, member);
        return true;
    }

    /// <summary>Keeps this node's open connections counting in Redis for another <see cref="SharedConnectionTtl"/>.</summary>
    public async Task RefreshSharedAsync()
    {
        if (shared is not { Enabled: true })
        {
            return;
        }

        List<(string Key, string Member)> open;
        lock (gate)
        {
            open = [.. sharedMembers.SelectMany(pair => pair.Value.OfType<string>().Select(member => (pair.Key, member)))];
        }

        await Task.WhenAll(open.Select(entry => shared.RefreshConnectionAsync(entry.Key, entry.Member, SharedConnectionTtl)));
    }

    private void TrackShared(string key, string? member)
    {
        lock (gate)
        {
            if (!sharedMembers.TryGetValue(key, out var members))
            {
                sharedMembers[key] = members = [];
            }

            members.Add(member);
        }
    }

    private void ReleaseShared(string key)
    {
        string? member;
        lock (gate)
        {
            if (!sharedMembers.TryGetValue(key, out var members) || members.Count == 0)
            {
                return;
            }

            member = members[^1];
            members.RemoveAt(members.Count - 1);
            if (members.Count == 0)
            {
                sharedMembers.Remove(key);
            }
        }

        if (member is not null)
        {
            // Not awaited: a close must not wait on Redis. Unanswered, the member stops counting after its TTL.
            _ = shared!.LeaveAsync(key, member);
        }
    }

    /// <summary>Counts an IDENTIFY or RESUME from the address; false when it has used up its minute.</summary>
    public bool TryIdentifyFromAddress(string address, long nowTicksMs) =>
        identifiesByAddress.TryTake(address, nowTicksMs, out _);

    /// <summary>Counts an IDENTIFY or RESUME by the user; false when they have used up their minute.</summary>
    public bool TryIdentifyAsUser(string userId, long nowTicksMs) =>
        identifiesByUser.TryTake(userId, nowTicksMs, out _);

    /// <summary>
    /// Counts one more identified connection of the user; false at the cap. A RESUME that takes over a
    /// still-open connection of the same session (<paramref name="replacesOpenConnection"/>) is let
    /// through: the connection it replaces is closed and stops counting right after.
    /// </summary>
    public bool TryAdmitUser(string userId, bool replacesOpenConnection)
    {
        lock (gate)
        {
            var open = connectionsByUser.GetValueOrDefault(userId);
            if (open >= options.MaxConnectionsPerUser && !replacesOpenConnection)
            {
                return false;
            }

            connectionsByUser[userId] = open + 1;
            return true;
        }
    }

    /// <summary>An identified connection admitted by <see cref="TryAdmitUser"/> ended.</summary>
    public void UserConnectionClosed(string userId)
    {
        Decrement(connectionsByUser, userId);
        ReleaseShared("u:" + userId);
    }

    public int ConnectionsOf(string userId)
    {
        lock (gate)
        {
            return connectionsByUser.GetValueOrDefault(userId);
        }
    }

    /// <summary>Forgets rate-limit buckets that have refilled, so addresses and users seen once hold no memory.</summary>
    public void Prune(long nowTicksMs)
    {
        upgradesByAddress.Prune(nowTicksMs);
        identifiesByAddress.Prune(nowTicksMs);
        identifiesByUser.Prune(nowTicksMs);
    }

    private void Decrement(Dictionary<string, int> counts, string key)
    {
        lock (gate)
        {
            if (counts.TryGetValue(key, out var open))
            {
                if (open <= 1)
                {
                    counts.Remove(key);
                }
                else
                {
                    counts[key] = open - 1;
                }
            }
        }
    }
}

public enum UpgradeVerdict
{
    Admitted,
    TooManyConnections,
    RateLimited,
}
