using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>Configuration validation, durable state across restarts, and the SQLite file's settings.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("DATABASE:PROVIDER", "mongodb", "VOXORA_DATABASE__PROVIDER")]
    [InlineData("AUTH:ACCESS_TOKEN_SECONDS", "3600", "VOXORA_AUTH__ACCESS_TOKEN_SECONDS")]
    [InlineData("AUTH:ACCESS_TOKEN_SECONDS", "soon", "VOXORA_AUTH__ACCESS_TOKEN_SECONDS must be a whole number")]
    [InlineData("AUTH:ARGON2_MEMORY_KIB", "1024", "VOXORA_AUTH__ARGON2_MEMORY_KIB")]
    [InlineData("RATELIMITING:ENABLED", "maybe", "VOXORA_RATELIMITING__ENABLED must be true or false")]
    [InlineData("NETWORK:TRUSTED_PROXIES", "10.0.0.1,not-an-ip", "VOXORA_NETWORK__TRUSTED_PROXIES")]
    [InlineData("METRICS:ALLOW", "10.0.0.0/8,10.0.0.0/99", "VOXORA_METRICS__ALLOW")]
    [InlineData("MEDIA:MAX_AVATAR_BYTES", "0", "VOXORA_MEDIA__MAX_AVATAR_BYTES")]
    [InlineData("DATABASE:SQLITE_SYNCHRONOUS", "off", "VOXORA_DATABASE__SQLITE_SYNCHRONOUS")]
    [InlineData("SHUTDOWN_SECONDS", "1", "VOXORA_SHUTDOWN_SECONDS")]
    [InlineData("HTTP:REQUEST_TIMEOUT_SECONDS", "0", "VOXORA_HTTP__REQUEST_TIMEOUT_SECONDS")]
    [InlineData("HTTP:HEADERS_TIMEOUT_SECONDS", "a while", "VOXORA_HTTP__HEADERS_TIMEOUT_SECONDS must be a whole number")]
    [InlineData("POD:REGISTRATION", "sometimes", "VOXORA_POD__REGISTRATION must be open, invite or closed")]
    public async Task Bad_settings_stop_start_up_with_a_message_naming_the_setting(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() =>
            TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { [key] = value }));
        Assert.True(error.Message.Contains(named, StringComparison.Ordinal), error.Message);
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task A_first_start_on_an_empty_database_logs_no_errors(Provider provider)
    {
        var errors = new ErrorLog();
        await using var server = await TestServer.StartAsync(provider,
            services: s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(errors));
        Assert.True(errors.Lines.IsEmpty, "errors logged at start-up: " + string.Join(" | ", errors.Lines));
    }

    /// <summary>Collects every Error-or-worse log line.</summary>
    private sealed class ErrorLog : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Lines.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_is_a_configuration_error()
    {
        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() =>
            TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { ["DATABASE:PROVIDER"] = "postgres", ["DATABASE:CONNECTIONSTRING"] = "" }));
        Assert.Contains("VOXORA_DATABASE__CONNECTIONSTRING", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_process_prints_one_clear_line_and_exits_on_a_bad_setting()
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Voxora.Server.dll");
        var start = new ProcessStartInfo("dotnet", [serverDll])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["VOXORA_DATABASE__PROVIDER"] = "oracle";
        start.Environment["VOXORA_URLS"] = "http://127.0.0.1:0";
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("VOXORA_DATABASE__PROVIDER", line, StringComparison.Ordinal);
        Assert.Contains("oracle", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_variables_with_the_voxora_prefix_configure_the_server()
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Voxora.Server.dll");
        var dataDir = Directory.CreateTempSubdirectory("voxora-env-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [serverDll])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["VOXORA_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["VOXORA_DATA_DIR"] = dataDir;
        using var process = Process.Start(start)!;
        try
        {
            var announced = await ReadUntilAsync(process.StandardOutput, "Voxora is running at", TimeSpan.FromSeconds(60));
            Assert.Contains($"http://127.0.0.1:{port}", announced, StringComparison.Ordinal);
            using var http = new HttpClient();
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).StatusCode);
            Assert.True(File.Exists(Path.Combine(dataDir, "voxora.db")));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task<string> ReadUntilAsync(StreamReader reader, string marker, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"The server exited without printing '{marker}'.");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Sqlite_database_runs_in_wal_mode()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite);
        await using var connection = new SqliteConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    /// <summary>
    /// A commit answered 2xx must survive power loss, not only a process crash: the server's own connections run
    /// <c>synchronous=FULL</c> (2) unless the operator chooses NORMAL (1) or EXTRA (3).
    /// </summary>
    [Theory]
    [InlineData(null, 2L)]
    [InlineData("normal", 1L)]
    [InlineData("EXTRA", 3L)]
    public async Task Sqlite_commits_are_durable_by_default_and_the_level_is_configurable(string? setting, long expected)
    {
        var overrides = new Dictionary<string, string?>();
        if (setting is not null)
        {
            overrides["DATABASE:SQLITE_SYNCHRONOUS"] = setting;
        }

        await using var server = await TestServer.StartAsync(Provider.Sqlite, overrides);
        // A write through the API first, so the level is read from a connection the server really uses.
        var (client, _, _) = await server.NewUserAsync("durable");
        client.Dispose();
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Voxora.Server.Data.VoxoraDbContext>();
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(expected, (long?)await command.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Accounts_sessions_and_the_signing_key_survive_a_restart(Provider provider)
    {
        // A restarted server keeps its public URL (and so its token issuer); here the listen port changes, so it is configured.
        var origin = new Dictionary<string, string?> { ["PUBLIC_URL"] = "http://voxora.test" };
        var first = await TestServer.StartAsync(provider, origin);
        var (client, user, password) = await first.NewUserAsync("durable");
        var accessToken = client.AccessToken!;
        var refreshToken = client.RefreshToken!;
        client.Dispose();
        await first.StopAsync();

        await using var second = await TestServer.StartAsync(provider, origin, dataDir: first.DataDir, reuseConnectionString: first.ConnectionString);
        using var again = second.NewClient();
        again.AccessToken = accessToken;
        Assert.Equal(user.Id, (await again.GetMeAsync()).Id);
        await again.RefreshAsync(refreshToken);
        using var fresh = second.NewClient();
        await fresh.LoginAsync(user.Username, password);
    }
}

/// <summary>The migrations assemblies must describe exactly the model the code builds, on both providers.</summary>
public sealed class MigrationsTests
{
    [Fact]
    public void Sqlite_migrations_match_the_model()
    {
        using var db = new Voxora.Migrations.Sqlite.DesignTimeFactory().CreateDbContext([]);
        Assert.False(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.HasPendingModelChanges(db.Database),
            "Run: dotnet ef migrations add <Name> --project src/Voxora.Migrations.Sqlite");
    }

    [Fact]
    public void Postgres_migrations_match_the_model()
    {
        using var db = new Voxora.Migrations.Postgres.DesignTimeFactory().CreateDbContext([]);
        Assert.False(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.HasPendingModelChanges(db.Database),
            "Run: dotnet ef migrations add <Name> --project src/Voxora.Migrations.Postgres");
    }
}
