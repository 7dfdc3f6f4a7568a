using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Voxora.Client;
using Voxora.Server;

namespace Voxora.Server.Tests.Infrastructure;

public enum Provider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// A real Voxora server in this process on a loopback port, with its own data folder and its own
/// database (a SQLite file, or a fresh PostgreSQL database on the server scripts/test.sh started).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string PostgresVariable = "VOXORA_TEST_POSTGRES";

    private readonly WebApplication app;
    private readonly string? postgresDatabase;
    private int userCounter;

    private TestServer(WebApplication app, Provider provider, string dataDir, string connectionString, string? postgresDatabase)
    {
        this.app = app;
        Provider = provider;
        DataDir = dataDir;
        ConnectionString = connectionString;
        this.postgresDatabase = postgresDatabase;
        BaseAddress = new Uri(app.Urls.First() + "/");
    }

    public Provider Provider { get; }
    public string DataDir { get; }
    public string ConnectionString { get; }
    public Uri BaseAddress { get; }
    public IServiceProvider Services => app.Services;

    /// <summary>Settings every test server gets; tests that exercise a limit pass their own values.</summary>
    public static Dictionary<string, string?> DefaultSettings(Provider provider, string dataDir, string connectionString) => new()
    {
        ["URLS"] = "http://127.0.0.1:0",
        ["DATA_DIR"] = dataDir,
        ["DATABASE:PROVIDER"] = provider == Provider.Postgres ? "postgres" : "sqlite",
        ["DATABASE:CONNECTIONSTRING"] = connectionString,
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware"] = "None",
        // Every test talks from 127.0.0.1: the per-address limits would otherwise throttle the suite.
        ["RATELIMITING:AUTH_PER_MINUTE"] = "100000",
        ["RATELIMITING:ANONYMOUS_PER_MINUTE"] = "100000",
        ["RATELIMITING:USER_PER_MINUTE"] = "100000",
        ["AUTH:IP_FREE_FAILURES"] = "10000",
        ["GATEWAY:MAX_CONNECTIONS_PER_ADDRESS"] = "100000",
        ["GATEWAY:UPGRADES_PER_MINUTE_PER_ADDRESS"] = "100000",
        ["GATEWAY:IDENTIFIES_PER_MINUTE_PER_ADDRESS"] = "100000",
    };

    public static async Task<TestServer> StartAsync(Provider provider, IReadOnlyDictionary<string, string?>? overrides = null, string? dataDir = null, string? reuseConnectionString = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("voxora-test-").FullName;
        string connectionString;
        string? database = null;
        if (reuseConnectionString is not null)
        {
            connectionString = reuseConnectionString;
        }
        else if (provider == Provider.Postgres)
        {
            (connectionString, database) = await CreatePostgresDatabaseAsync();
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(dataDir, "voxora.db")};Pooling=True";
        }

        var settings = DefaultSettings(provider, dataDir, connectionString);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var app = await VoxoraHost.CreateAsync([], settings, configureServices: services);
        await app.StartAsync();
        return new TestServer(app, provider, dataDir, connectionString, database);
    }

    public static string PostgresAdminConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"PostgreSQL tests need {PostgresVariable} (an admin connection string). Run them through scripts/test.sh, which starts a throwaway PostgreSQL.");

    public static async Task<(string ConnectionString, string Database)> CreatePostgresDatabaseAsync()
    {
        var name = "voxora_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(PostgresAdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(PostgresAdminConnectionString) { Database = name };
        return (builder.ConnectionString, name);
    }

    public static async Task DropPostgresDatabaseAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(PostgresAdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server but keeps its data, so a test can start another server on it.</summary>
    public async Task StopAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public VoxoraClient NewClient() => new(BaseAddress);

    /// <summary>Registers a fresh user and returns a client logged in as them.</summary>
    public async Task<(VoxoraClient Client, Protocol.User User, string Password)> NewUserAsync(string? prefix = null)
    {
        var number = Interlocked.Increment(ref userCounter);
        var username = $"{prefix ?? "user"}{number}_{Random.Shared.Next(1000, 9999)}";
        const string password = "correct horse battery";
        var client = NewClient();
        var user = await client.RegisterAsync(username, password);
        await client.LoginAsync(username, password);
        return (client, user, password);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await app.StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped by StopAsync.
        }

        await app.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (postgresDatabase is not null)
        {
            await DropPostgresDatabaseAsync(postgresDatabase);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the OS temp cleaner will get it.
        }
    }
}

/// <summary>One shared server per test class and provider.</summary>
public abstract class ServerFixture(Provider provider) : IAsyncLifetime
{
    private TestServer? server;

    public Provider Provider { get; } = provider;
    public TestServer Server => server ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync() => server = await TestServer.StartAsync(Provider);

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class SqliteServerFixture() : ServerFixture(Provider.Sqlite);

public sealed class PostgresServerFixture() : ServerFixture(Provider.Postgres);
