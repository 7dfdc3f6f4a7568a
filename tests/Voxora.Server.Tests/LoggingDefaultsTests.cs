using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The configuration people run is the fast one (issue 20): with nothing configured the framework writes no log
/// line per request, and <c>VOXORA_ACCESS_LOG=true</c> gives exactly one compact line per request instead.
/// </summary>
public sealed class LoggingDefaultsTests
{
    /// <summary>Every log entry that passed the server's filters, as the console would have written it.</summary>
    private sealed class RecordingLoggers : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Recorder(RecordingLoggers owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    private static async Task<(TestServer Server, RecordingLoggers Logs)> StartAsync(bool accessLog)
    {
        var logs = new RecordingLoggers();
        var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
        {
            // What a server started by scripts/run.sh has: no log level configured anywhere (the test default quiets it).
            ["Logging:LogLevel:Default"] = null,
            ["Logging:LogLevel:Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware"] = null,
            ["ACCESS_LOG"] = accessLog ? "true" : null,
        }, services: s => s.AddSingleton<ILoggerProvider>(logs));
        return (server, logs);
    }

    private static async Task MakeRequestsAsync(TestServer server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/live?token=secret-in-query")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("api/v1/users/@me")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("api/v1/no-such-thing")).StatusCode);
    }

    [Fact]
    public async Task With_nothing_configured_requests_write_no_log_lines_but_start_up_still_says_where_it_listens()
    {
        var (server, logs) = await StartAsync(accessLog: false);
        await using var _ = server;
        logs.Entries.Clear();
        await MakeRequestsAsync(server);
        await server.NewUserAsync();

        var perRequest = logs.Entries.Where(e => e.Level < LogLevel.Warning && e.Category.StartsWith("Microsoft", StringComparison.Ordinal)).ToList();
        Assert.True(perRequest.Count == 0, "framework lines per request: " + string.Join(" | ", perRequest.Select(e => $"{e.Category}: {e.Message}")));
        Assert.DoesNotContain(logs.Entries, e => e.Category == AccessLogMiddleware.Category);
    }

    [Fact]
    public async Task Start_up_lines_of_the_hosting_lifetime_are_kept()
    {
        var (server, logs) = await StartAsync(accessLog: false);
        await using var _ = server;
        Assert.Contains(logs.Entries, e => e.Category == "Microsoft.Hosting.Lifetime" && e.Level == LogLevel.Information && e.Message.Contains("listening", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_access_log_writes_one_line_per_request_with_method_path_status_and_time_but_no_query()
    {
        var (server, logs) = await StartAsync(accessLog: true);
        await using var _ = server;
        logs.Entries.Clear();
        await MakeRequestsAsync(server);

        var lines = logs.Entries.Where(e => e.Category == AccessLogMiddleware.Category).Select(e => e.Message).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Matches(@"^GET /health/live 200 \d+\.\d ms$", lines[0]);
        Assert.Matches(@"^GET /api/v1/users/@me 401 \d+\.\d ms$", lines[1]);
        Assert.Matches(@"^GET /api/v1/no-such-thing 404 \d+\.\d ms$", lines[2]);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("secret-in-query", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Level < LogLevel.Warning && e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
