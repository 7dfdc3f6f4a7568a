using Voxora.Server.Infrastructure;

namespace Voxora.Server.Gateway;

/// <summary>
/// Who may open a gateway connection and identify on it: open connections per client address and
/// upgrades per minute per address (checked at the HTTP upgrade), identified connections per user,
/// and IDENTIFY/RESUME attempts per minute per user and per address. Without these one token (or one
/// address) could hold thousands of sockets and sessions (security review, issue 12 finding 6).
/// </summary>
public sealed class GatewayAdmission(GatewayOptions options)
{
    private readonly Lock gate = new();
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

    /// <summary>A connection admitted by <see cref="TryOpen"/> ended.</summary>
    public void Closed(string address) => Decrement(connectionsByAddress, address);

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
    public void UserConnectionClosed(string userId) => Decrement(connectionsByUser, userId);

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
