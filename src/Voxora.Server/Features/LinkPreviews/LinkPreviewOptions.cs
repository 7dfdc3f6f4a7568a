using System.Net;
using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>Link preview settings (<c>VOXORA_LINK_PREVIEWS__*</c>). The guards themselves (ports, addresses, sizes) are not settings.</summary>
public sealed class LinkPreviewOptions
{
    /// <summary>Fetch previews for links at all. Off: messages keep <c>embeds: []</c>, the image proxy answers 404. <c>VOXORA_LINK_PREVIEWS__ENABLED</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// TEST ONLY. Loopback endpoints (<c>127.0.0.1:5001,[::1]:5002</c>) the fetcher may reach although they are not public,
    /// so tests can serve pages from the test process. Only loopback addresses with an explicit port are accepted; empty
    /// (the default, and what production must use) refuses every loopback, private and other non-public address.
    /// <c>VOXORA_LINK_PREVIEWS__ALLOW_LOOPBACK_FOR_TESTS</c>.
    /// </summary>
    [ConfigurationKeyName("ALLOW_LOOPBACK_FOR_TESTS")]
    public string? AllowLoopbackForTests { get; set; }

    /// <summary>Fetches (cache misses) per channel and minute; more links wait for no one: they get no preview. <c>VOXORA_LINK_PREVIEWS__FETCHES_PER_MINUTE_PER_CHANNEL</c>.</summary>
    [ConfigurationKeyName("FETCHES_PER_MINUTE_PER_CHANNEL")]
    public int FetchesPerMinutePerChannel { get; set; } = 10;

    /// <summary>The endpoints of <see cref="AllowLoopbackForTests"/>, parsed (empty when unset).</summary>
    public IReadOnlyList<IPEndPoint> TestEndpoints() => ParseEndpoints(AllowLoopbackForTests, out _);

    internal static List<IPEndPoint> ParseEndpoints(string? value, out string? error)
    {
        error = null;
        var endpoints = new List<IPEndPoint>();
        foreach (var part in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPEndPoint.TryParse(part, out var endpoint) || endpoint.Port == 0 || !IPAddress.IsLoopback(endpoint.Address))
            {
                error = $"VOXORA_LINK_PREVIEWS__ALLOW_LOOPBACK_FOR_TESTS takes loopback endpoints with a port (127.0.0.1:5001), not '{part}'.";
                continue;
            }

            endpoints.Add(endpoint);
        }

        return endpoints;
    }

    public IEnumerable<string> Validate()
    {
        ParseEndpoints(AllowLoopbackForTests, out var error);
        if (error is not null)
        {
            yield return error;
        }

        if (FetchesPerMinutePerChannel is < 1 or > 1000)
        {
            yield return "VOXORA_LINK_PREVIEWS__FETCHES_PER_MINUTE_PER_CHANNEL must be between 1 and 1000.";
        }
    }
}
