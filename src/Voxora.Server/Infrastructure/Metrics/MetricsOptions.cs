using System.Net;

namespace Voxora.Server.Infrastructure.Metrics;

/// <summary><c>GET /metrics</c> in the Prometheus text format (<c>VOXORA_METRICS__*</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve <c>/metrics</c> (default true). <c>VOXORA_METRICS__ENABLED</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Networks besides loopback that may read <c>/metrics</c>, comma separated CIDRs (<c>10.0.0.0/8</c>) or addresses.
    /// Empty: loopback only. <c>VOXORA_METRICS__ALLOW</c>.
    /// </summary>
    public string? Allow { get; set; }

    public IReadOnlyList<IPNetwork> AllowedNetworks =>
        Entries().Select(entry => TryParse(entry, out var network) ? network : throw new FormatException(entry)).ToList();

    public IEnumerable<string> Validate()
    {
        foreach (var entry in Entries())
        {
            if (!TryParse(entry, out _))
            {
                yield return $"VOXORA_METRICS__ALLOW holds '{entry}', which is neither a network like 10.0.0.0/8 nor an IP address.";
            }
        }
    }

    private IEnumerable<string> Entries() => (Allow ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryParse(string entry, out IPNetwork network)
    {
        if (entry.Contains('/', StringComparison.Ordinal))
        {
            return IPNetwork.TryParse(entry, out network);
        }

        if (IPAddress.TryParse(entry, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        network = default;
        return false;
    }
}

/// <summary>Who may read the metrics: a pure rule, so it is tested without a network.</summary>
public static class MetricsAccess
{
    /// <summary>
    /// Loopback and the allowed networks, judged on the client address after trusted proxies were applied. A request
    /// that still carries <c>X-Forwarded-For</c> came through a proxy that is not trusted (so every client would look
    /// like the proxy, often loopback): refused, or a pod behind Caddy would publish its metrics to the internet.
    /// </summary>
    public static bool IsAllowed(IPAddress? client, bool untrustedForwarding, IReadOnlyList<IPNetwork> allowed)
    {
        if (client is null || untrustedForwarding)
        {
            return false;
        }

        if (client.IsIPv4MappedToIPv6)
        {
            client = client.MapToIPv4();
        }

        return IPAddress.IsLoopback(client) || allowed.Any(network => network.Contains(client));
    }
}
