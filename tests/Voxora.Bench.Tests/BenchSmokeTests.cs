using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Voxora.Bench;
using Voxora.Server;

namespace Voxora.Bench.Tests;

/// <summary>
/// A real Voxora server in this process (as the server tests start theirs) with rate limits off, and one
/// bench world on it, shared by the scenarios of a provider. Sizes are tiny: these tests check that each
/// scenario runs and that the server is correct under it (no loss, no duplicates, all READY, right pages,
/// exactly-once resume), never how fast it is.
/// </summary>
public abstract class BenchServerFixture(string provider) : IAsyncLifetime
{
    public const string PostgresVariable = "VOXORA_TEST_POSTGRES";

    private WebApplication? app;
    private string? dataDir;
    private string? pgDatabase;

    public string Provider { get; } = provider;
    public BenchTarget Target { get; private set; } = null!;
    public BenchWorld World { get; private set; } = null!;

    /// <summary>The server's Error-or-worse log lines, so that a scenario that fails says what went wrong inside.</summary>
    public ServerErrorLog Errors { get; } = new();

    public async Task InitializeAsync()
    {
        dataDir = Directory.CreateTempSubdirectory("voxora-bench-test-").FullName;
        string connectionString;
        string? sqliteFile = null;
        if (Provider == "postgres")
        {
            var admin = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"PostgreSQL smoke tests need {PostgresVariable}; run them through scripts/test.sh.");
            pgDatabase = "voxora_bench_test_" + Guid.NewGuid().ToString("N")[..12];
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{pgDatabase}\"", connection);
                await create.ExecuteNonQueryAsync();
            }

            connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = pgDatabase }.ConnectionString;
        }
        else
        {
            sqliteFile = Path.Combine(dataDir, "voxora.db");
            connectionString = $"Data Source={sqliteFile};Pooling=True";
        }

        app = await VoxoraHost.CreateAsync([], new Dictionary<string, string?>
        {
            ["URLS"] = "http://127.0.0.1:0",
            ["DATA_DIR"] = dataDir,
            ["DATABASE:PROVIDER"] = Provider,
            ["DATABASE:CONNECTIONSTRING"] = connectionString,
            ["RATELIMITING:ENABLED"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Voxora.Server.VoxoraHost"] = "Error",
        }, configureServices: services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Errors));
        await app.StartAsync();
        var url = new Uri(app.Urls.First() + "/");
        Target = BenchTarget.Existing(url, Provider, Environment.ProcessId, sqliteFile, Provider == "postgres" ? connectionString : null);
        World = await BenchWorld.CreateAsync(Target, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        World?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        if (pgDatabase is not null)
        {
            await using var admin = new NpgsqlConnection(Environment.GetEnvironmentVariable(PostgresVariable));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{pgDatabase}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dataDir!, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Collects the server's Error-or-worse log lines, with the exception's full text.</summary>
public sealed class ServerErrorLog : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> lines = new();

    public int Count => lines.Count;

    /// <summary>The lines logged after the first <paramref name="skip"/>, joined; "nothing" when there are none.</summary>
    public string Since(int skip) => lines.Count > skip ? string.Join(" | ", lines.Skip(skip).Take(5)) : "nothing";

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            lines.Enqueue(formatter(state, exception) + (exception is null ? "" : ": " + exception));
        }
    }

    public void Dispose()
    {
    }
}

public sealed class SqliteBenchFixture() : BenchServerFixture("sqlite");

public sealed class PostgresBenchFixture() : BenchServerFixture("postgres");

public abstract class BenchSmokeTests(BenchServerFixture fixture)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private async Task<ScenarioResult> RunAsync(params string[] args)
    {
        var errorsBefore = fixture.Errors.Count;
        try
        {
            return await Bench.RunScenarioAsync(fixture.World, BenchOptions.Parse(args), CancellationToken.None).WaitAsync(Limit);
        }
        catch (Exception ex) when (fixture.Errors.Count > errorsBefore)
        {
            throw new InvalidOperationException($"{ex.Message}; the server logged: {fixture.Errors.Since(errorsBefore)}", ex);
        }
    }

    private void AssertCorrect(ScenarioResult result) =>
        Assert.True(result.Ok, $"{result.Scenario}: {string.Join("; ", result.Failures)}; the server logged: {fixture.Errors.Since(0)}");

    [Fact]
    public async Task Send_closed_loop_and_offered_rate_post_messages()
    {
        // No warmup: only POSTs started inside the window count, and on a busy machine the first ones (cold JIT,
        // first write) can outlast a short window, leaving nothing to check. With none, every worker's first POST counts.
        var closed = await RunAsync("send", "--duration", "1", "--warmup", "0", "-c", "4", "--users", "2");
        AssertCorrect(closed);
        Assert.True(closed.Get("messages") > 0);
        Assert.Equal(0, closed.Get("errors"));

        var open = await RunAsync("send", "--rate", "40", "--duration", "1", "--warmup", "0", "--users", "2");
        AssertCorrect(open);
        Assert.Equal(40, open.Get("messages"));
    }

    [Fact]
    public async Task Fanout_delivers_every_message_once_to_every_receiver()
    {
        var result = await RunAsync("fanout", "--receivers", "12", "--users", "4", "--senders", "2", "--rate", "40", "--duration", "1", "--warmup", "0.5");
        AssertCorrect(result);
        Assert.Equal(0, result.Get("lost"));
        Assert.Equal(0, result.Get("duplicated"));
        Assert.Equal(40 * 12, result.Get("deliveries"));
        // The warm-up's messages were drained before measuring: none of them shows up in the measured step.
        Assert.Equal(0, result.Get("stray"));
    }

    [Fact]
    public async Task Fanout_knee_search_runs_steps()
    {
        var result = await RunAsync("fanout", "--receivers", "4", "--users", "4", "--senders", "2", "--find-knee", "--warmup", "0",
            "--knee-start", "10", "--knee-factor", "2", "--knee-max", "20", "--duration", "0.5", "--knee-p99-ms", "10000");
        Assert.Equal(2, result.Steps.Count);
        Assert.All(result.Steps, s => Assert.Equal(0, s.Get("lost")));
        Assert.Equal(20, result.Get("knee_rate"));
    }

    [Fact]
    public async Task Connections_all_reach_ready_over_two_source_addresses()
    {
        var result = await RunAsync("connections", "-n", "30", "--users", "3", "--local-addresses", "2", "--settle", "0.2");
        AssertCorrect(result);
        Assert.Equal(30, result.Get("connections_ready"));
        Assert.Equal(30, result.Get("connections_open_after_settle"));
    }

    [Fact]
    public async Task Lean_connection_reports_the_close_code_the_server_sent()
    {
        // The bench speaks WebSocket on a bare socket (BenchSocket): a refused IDENTIFY must surface the gateway's
        // close code (4004, bad token), not hang or look like a plain drop.
        await using var gateway = new LeanGateway(fixture.World.BaseAddress);
        var refused = await Assert.ThrowsAsync<IOException>(() =>
            gateway.ConnectIdentifiedAsync(0, "not-a-token", TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Contains("4004", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_store_every_file()
    {
        var result = await RunAsync("uploads", "-c", "3", "--upload-mib", "1");
        AssertCorrect(result);
        Assert.Equal(3, result.Get("uploads_ok"));
    }

    [Fact]
    public async Task History_pages_are_the_preceding_messages()
    {
        var result = await RunAsync("history", "-m", "300", "--duration", "1", "--warmup", "0", "-c", "2");
        AssertCorrect(result);
        Assert.True(result.Get("pages") > 0);
        Assert.Equal(0, result.Get("wrong_pages"));
    }

    [Fact]
    public async Task Search_answers_every_query_kind_and_finds_the_rare_word_exactly()
    {
        // The scenario checks each answer itself (wrong_answers): hits for every kind, the rare word (typed without its
        // accents) exactly as often as seeded, filters and newest-first order respected. Here: every kind ran at all.
        var result = await RunAsync("search", "-m", "2000", "--channels", "4", "--duration", "3", "--warmup", "0", "-c", "2");
        AssertCorrect(result);
        Assert.Equal(0, result.Get("wrong_answers"));
        Assert.Equal(0, result.Get("errors"));
        Assert.All(Voxora.Bench.Scenarios.SearchScenario.Kinds, kind => Assert.True(double.IsFinite(result.Get(kind + "_p50_ms")), kind + " never ran"));
        Assert.True(result.Get("rebuild_s") >= 0);
        Assert.True(result.Get("index_mib") > 0 || result.Provider == "sqlite", "index size read on PostgreSQL");
    }

    [Fact]
    public async Task Resume_delivers_every_event_exactly_once()
    {
        var result = await RunAsync("resume", "--receivers", "6", "--users", "3", "--rate", "40", "--duration", "2", "--drop-every-ms", "60");
        AssertCorrect(result);
        Assert.True(result.Get("resumes_ok") > 0);
        Assert.Equal(0, result.Get("lost"));
        Assert.Equal(0, result.Get("duplicated"));
        Assert.Equal(result.Get("expected_deliveries"), result.Get("deliveries"));
    }
}

public sealed class SqliteBenchSmokeTests(SqliteBenchFixture fixture) : BenchSmokeTests(fixture), IClassFixture<SqliteBenchFixture>;

public sealed class PostgresBenchSmokeTests(PostgresBenchFixture fixture) : BenchSmokeTests(fixture), IClassFixture<PostgresBenchFixture>;
