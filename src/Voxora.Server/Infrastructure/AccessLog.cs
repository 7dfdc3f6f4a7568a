using System.Diagnostics;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// One compact log line per HTTP request (method, path, status, time), only when <c>VOXORA_ACCESS_LOG=true</c>.
/// The framework's own request logging writes three lines per request and costs a large share of the server's
/// throughput, so the default configuration keeps it at Warning (<see cref="LoggingDefaults"/>) and an operator
/// who wants an access log asks for this one. The query string is left out: it can carry tokens.
/// </summary>
public sealed partial class AccessLogMiddleware(RequestDelegate next, ILoggerFactory loggers)
{
    public const string Category = "Voxora.AccessLog";

    private readonly ILogger logger = loggers.CreateLogger(Category);

    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            Request(logger, http.Request.Method, http.Request.Path.Value ?? "/", http.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMs:0.0} ms")]
    private static partial void Request(ILogger logger, string method, string path, int statusCode, double elapsedMs);
}

/// <summary>
/// The log levels a server gets when nothing is configured: Voxora's own categories at Information (start-up,
/// drains, failures worth knowing about), the framework's per-request chatter at Warning. They sit below every
/// other configuration source, so <c>Logging__LogLevel__…</c> (or <c>VOXORA_LOGGING__LOGLEVEL__…</c>) still wins.
/// </summary>
public static class LoggingDefaults
{
    public static readonly IReadOnlyDictionary<string, string?> Levels = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        // Hosting, routing, Kestrel, EF Core and the HTTP client each write a line or more per request at Information.
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        // …but "Now listening on", "Application started" and the shutdown lines stay.
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };
}
