using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>Resolves host names for the fetcher; tests replace it (through DI) to make a public-looking name resolve anywhere.</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

public sealed class DnsHostResolver : IHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>What a fetch brought back: the body (at most the cap) or why there is none.</summary>
public sealed record FetchResult(Uri? FinalUrl, string? ContentType, byte[]? Body, string? Error, bool Truncated = false)
{
    public bool Ok => Body is not null;

    public static FetchResult Failed(string error) => new(null, null, null, error);
}

/// <summary>Raised inside the connect callback when the address (or the URL) may not be reached.</summary>
public sealed class FetchRefusedException(string message) : Exception(message);

/// <summary>
/// The only way the server fetches a URL it was given by a user (link previews, their images). Server-side request
/// forgery is the risk, so every request:
/// <list type="bullet">
/// <item>is http or https, without user info, to port 80 or 443, and not to this server's public host;</item>
/// <item>connects only to an address <see cref="AddressRules.IsPublic"/> accepts and that is not one of this machine's own:
/// the name is resolved in the connect callback and the socket is opened to the vetted address itself, so a second,
/// different DNS answer (rebinding) can never be the one connected to;</item>
/// <item>follows at most 3 redirects by hand, each checked again as above;</item>
/// <item>takes at most 5 seconds in all and reads at most the caller's cap (1 MiB for pages, 5 MiB for images);</item>
/// <item>sends no cookies, no credentials, no Referer, ignores any system proxy, and names itself in the User-Agent.</item>
/// </list>
/// Tests may reach exact loopback endpoints listed in <c>VOXORA_LINK_PREVIEWS__ALLOW_LOOPBACK_FOR_TESTS</c> (empty by default).
/// </summary>
public sealed class SafeHttpFetcher : IDisposable
{
    public const int MaxRedirects = 3;
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    public const string UserAgent = "Mozilla/5.0 (compatible; VoxoraLinkPreview/1.0; +https://github.com/voxora/voxora)";

    private static readonly int[] AllowedPorts = [80, 443];

    private readonly IHostResolver resolver;
    private readonly IReadOnlyList<IPEndPoint> testEndpoints;
    private readonly Func<string?> ownHost;
    private readonly Lazy<HashSet<IPAddress>> ownAddresses = new(LocalAddresses);
    private readonly HttpClient client;
    private readonly ILogger logger;

    public SafeHttpFetcher(IHostResolver resolver, ServerOptions options, PublicOrigin origin, ILogger<SafeHttpFetcher> logger)
        : this(resolver, options.LinkPreviews.TestEndpoints(), () => OwnHost(origin), logger)
    {
    }

    internal SafeHttpFetcher(IHostResolver resolver, IReadOnlyList<IPEndPoint> testEndpoints, Func<string?> ownHost, ILogger logger)
    {
        this.resolver = resolver;
        this.testEndpoints = testEndpoints;
        this.ownHost = ownHost;
        this.logger = logger;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            Credentials = null,
            PreAuthenticate = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = Timeout,
            MaxResponseHeadersLength = 64,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectAsync,
        };
        client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// GETs <paramref name="url"/> under the guards above. <paramref name="accept"/> decides on the response's media type;
    /// a longer body is cut at <paramref name="maxBytes"/> when <paramref name="allowTruncated"/>, refused otherwise.
    /// </summary>
    public async Task<FetchResult> FetchAsync(Uri url, string acceptHeader, Func<string?, bool> accept, int maxBytes, bool allowTruncated, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Timeout);
        try
        {
            var current = url;
            for (var hop = 0; ; hop++)
            {
                if (RefuseUrl(current) is { } refusal)
                {
                    return FetchResult.Failed(refusal);
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.UserAgent.ParseAdd(UserAgent);
                request.Headers.Accept.ParseAdd(acceptHeader);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= MaxRedirects)
                    {
                        return FetchResult.Failed("too many redirects");
                    }

                    current = new Uri(current, location);
                    continue;
                }

                if (status is < 200 or >= 300)
                {
                    return FetchResult.Failed($"status {status}");
                }

                var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
                if (!accept(mediaType))
                {
                    return FetchResult.Failed($"content type {mediaType ?? "(none)"}");
                }

                if (!allowTruncated && response.Content.Headers.ContentLength > maxBytes)
                {
                    return FetchResult.Failed("too large");
                }

                await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
                var (body, truncated) = await ReadCappedAsync(stream, maxBytes, deadline.Token);
                if (truncated && !allowTruncated)
                {
                    return FetchResult.Failed("too large");
                }

                return new FetchResult(current, mediaType, body, null, truncated);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return FetchResult.Failed("timed out");
        }
        catch (HttpRequestException e)
        {
            var refused = FindRefusal(e);
            logger.LogDebug("Link preview fetch of {Url} failed: {Reason}", url, refused ?? e.Message);
            return FetchResult.Failed(refused is null ? "request failed" : "refused: " + refused);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UriFormatException or FetchRefusedException)
        {
            return FetchResult.Failed(e is FetchRefusedException ? "refused: " + e.Message : "request failed");
        }
    }

    /// <summary>Why the URL itself may not be requested (scheme, user info, port, this server), or null.</summary>
    internal string? RefuseUrl(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            return "only http and https";
        }

        if (url.UserInfo.Length > 0)
        {
            return "user info in the URL";
        }

        // "chat.example.org." is the same host as "chat.example.org".
        if (ownHost() is { } own && string.Equals(url.IdnHost.TrimEnd('.') + ":" + url.Port, own, StringComparison.OrdinalIgnoreCase))
        {
            return "this server";
        }

        if (!AllowedPorts.Contains(url.Port) && !testEndpoints.Any(e => e.Port == url.Port))
        {
            return $"port {url.Port}";
        }

        return null;
    }

    /// <summary>Whether the fetcher may open a connection to <paramref name="endpoint"/> (the rule the connect callback applies).</summary>
    internal bool MayConnect(IPEndPoint endpoint)
    {
        var address = endpoint.Address;
        if (testEndpoints.Any(t => t.Port == endpoint.Port && t.Address.Equals(address)))
        {
            return true;
        }

        return AllowedPorts.Contains(endpoint.Port) && AddressRules.IsPublic(address) && !ownAddresses.Value.Contains(address);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host.TrimStart('[').TrimEnd(']');
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, ct);
        var vetted = addresses.Where(a => MayConnect(new IPEndPoint(a, port))).ToList();
        if (vetted.Count == 0)
        {
            throw new FetchRefusedException($"{host} resolves to no public address");
        }

        Exception? last = null;
        foreach (var address in vetted)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                // The vetted address itself: nothing resolves the name again between the check and the connection.
                await socket.ConnectAsync(new IPEndPoint(address, port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException($"could not connect to {host}", last);
    }

    private static async Task<(byte[] Body, bool Truncated)> ReadCappedAsync(Stream stream, int maxBytes, CancellationToken ct)
    {
        var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var memory = new MemoryStream();
        while (memory.Length <= maxBytes)
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
            {
                return (memory.ToArray(), false);
            }

            memory.Write(buffer, 0, read);
        }

        var all = memory.ToArray();
        return (all[..maxBytes], true);
    }

    private static string? FindRefusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is FetchRefusedException refused)
            {
                return refused.Message;
            }
        }

        return null;
    }

    private static string? OwnHost(PublicOrigin origin)
    {
        try
        {
            var own = new Uri(origin.Url);
            return own.IdnHost.TrimEnd('.') + ":" + own.Port;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static HashSet<IPAddress> LocalAddresses()
    {
        var set = new HashSet<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    set.Add(unicast.Address);
                }
            }
        }
        catch (NetworkInformationException)
        {
        }

        return set;
    }

    public void Dispose() => client.Dispose();
}
