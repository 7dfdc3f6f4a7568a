using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Voxora.Protocol;

namespace Voxora.Server.Infrastructure.Http;

/// <summary>
/// Limits on the HTTP surface that are not about one feature: how long a REST request may run, how long a client may
/// take to send its headers, how long an idle keep-alive connection stays open, how large the headers may be, and
/// (optionally) how many connections the node holds. Slow bodies are bounded by Kestrel's minimum data rates, which
/// stay at their defaults (240 bytes/s after a 5 s grace) and are set here explicitly so they are visible and tested.
/// </summary>
public sealed class HttpOptions
{
    /// <summary>
    /// Seconds a REST request may run before it is cancelled and answered 504 <c>request_timeout</c> (default 30).
    /// The gateway's WebSocket, uploads and media downloads are exempt: they are long by nature and bounded by the
    /// data rates instead. <c>VOXORA_HTTP__REQUEST_TIMEOUT_SECONDS</c>.
    /// </summary>
    [ConfigurationKeyName("REQUEST_TIMEOUT_SECONDS")]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds a client has to send a request's headers (default 15; slowloris). <c>VOXORA_HTTP__HEADERS_TIMEOUT_SECONDS</c>.</summary>
    [ConfigurationKeyName("HEADERS_TIMEOUT_SECONDS")]
    public int HeadersTimeoutSeconds { get; set; } = 15;

    /// <summary>Seconds an idle keep-alive connection stays open (default 120). <c>VOXORA_HTTP__KEEP_ALIVE_SECONDS</c>.</summary>
    [ConfigurationKeyName("KEEP_ALIVE_SECONDS")]
    public int KeepAliveSeconds { get; set; } = 120;

    /// <summary>
    /// Most TCP connections this node holds at once, gateway WebSockets included; 0 (the default) leaves it to the
    /// operating system and the per-address gateway limits. <c>VOXORA_HTTP__MAX_CONNECTIONS</c>.
    /// </summary>
    [ConfigurationKeyName("MAX_CONNECTIONS")]
    public int MaxConnections { get; set; }

    public IEnumerable<string> Validate()
    {
        if (RequestTimeoutSeconds is < 1 or > 600)
            yield return $"VOXORA_HTTP__REQUEST_TIMEOUT_SECONDS must be between 1 and 600, not {RequestTimeoutSeconds}.";
        if (HeadersTimeoutSeconds is < 1 or > 120)
            yield return $"VOXORA_HTTP__HEADERS_TIMEOUT_SECONDS must be between 1 and 120, not {HeadersTimeoutSeconds}.";
        if (KeepAliveSeconds is < 1 or > 3600)
            yield return $"VOXORA_HTTP__KEEP_ALIVE_SECONDS must be between 1 and 3600, not {KeepAliveSeconds}.";
        if (MaxConnections < 0)
            yield return $"VOXORA_HTTP__MAX_CONNECTIONS must be 0 (no limit) or more, not {MaxConnections}.";
    }
}

public static class HttpLimits
{
    /// <summary>Total size of a request's headers (Kestrel's default, stated): enough for a bearer token and cookies.</summary>
    public const int MaxRequestHeadersBytes = 32 * 1024;

    /// <summary>Number of request headers (Kestrel's default, stated).</summary>
    public const int MaxRequestHeaderCount = 100;

    /// <summary>Length of the request line (Kestrel's default, stated).</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    public static void Configure(KestrelServerLimits limits, HttpOptions options)
    {
        limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.HeadersTimeoutSeconds);
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(options.KeepAliveSeconds);
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersBytes;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.MaxConcurrentConnections = options.MaxConnections > 0 ? options.MaxConnections : null;
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
        limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// Every endpoint gets the REST timeout unless it opts out with <c>DisableRequestTimeout()</c>. On expiry the
    /// request's cancellation token fires; the database command or wait in progress stops, and the client gets a
    /// problem document instead of a connection held open.
    /// </summary>
    public static IServiceCollection AddVoxoraRequestTimeouts(this IServiceCollection services, HttpOptions options) =>
        services.AddRequestTimeouts(timeouts => timeouts.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds),
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = async context =>
            {
                var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await writer.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status504GatewayTimeout,
                        Title = "Request timeout",
                        Detail = $"The server did not finish this request within {options.RequestTimeoutSeconds} s and stopped it. Retry; if it keeps happening the server is overloaded.",
                        Type = Problems.TypeFor(ProblemCodes.RequestTimeout),
                        Extensions = { ["code"] = ProblemCodes.RequestTimeout },
                    },
                });
            },
        });
}
