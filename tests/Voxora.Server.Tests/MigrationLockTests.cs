using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Several nodes starting on one PostgreSQL database (an upgrade rolling out, a cluster's first start): the
/// migrations run once, under EF's migrations lock, and the other nodes wait for them and then start.
/// </summary>
public sealed class MigrationLockTests
{
    [Fact]
    public async Task Three_nodes_starting_at_once_on_a_fresh_database_all_start_and_apply_each_migration_once_without_errors()
    {
        var (connectionString, database) = await CreateDatabaseAsync();
        var errors = new ErrorLog();
        // Nodes of one cluster share one audit key (docs/architecture.md); each would otherwise make its own.
        var cluster = new Dictionary<string, string?> { ["AUDIT:KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
        var starts = Enumerable.Range(0, 3).Select(_ => Task.Run(() => TestServer.StartAsync(Provider.Postgres, cluster, reuseConnectionString: connectionString,
            services: s => s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(errors)))).ToArray();
        try
        {
            var servers = await Task.WhenAll(starts);
            foreach (var server in servers)
            {
                using var client = server.NewClient();
                var response = await client.Http.GetAsync("health/ready");
                Assert.True(response.IsSuccessStatusCode, $"{server.BaseAddress}: {response.StatusCode}");
            }

            var history = await HistoryAsync(connectionString);
            Assert.NotEmpty(history);
            Assert.Equal(history.Count, history.Distinct().Count());
            Assert.Equal(Migrations().Order(StringComparer.Ordinal), history.Order(StringComparer.Ordinal));
            Assert.True(errors.Lines.IsEmpty, "errors logged: " + string.Join(" | ", errors.Lines));
        }
        finally
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }

            await DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task A_node_that_starts_while_another_holds_the_migrations_lock_waits_for_it_then_starts()
    {
        var (connectionString, database) = await CreateDatabaseAsync();
        try
        {
            // Another node in the middle of migrating: it holds the lock every node takes before migrating.
            await using var other = new NpgsqlConnection(connectionString);
            await other.OpenAsync();
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({Voxora.Server.Data.DatabaseSetup.PostgresMigrationLockKey})", other))
            {
                await take.ExecuteNonQueryAsync();
            }

            var start = Task.Run(() => TestServer.StartAsync(Provider.Postgres, reuseConnectionString: connectionString));
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.False(start.IsCompleted, start.IsFaulted ? start.Exception!.GetBaseException().Message : "the node started while the lock was held");
            Assert.False(await HistoryExistsAsync(connectionString), "the waiting node touched the schema");

            await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({Voxora.Server.Data.DatabaseSetup.PostgresMigrationLockKey})", other))
            {
                await release.ExecuteNonQueryAsync();
            }

            await using var server = await start.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(Migrations().Order(StringComparer.Ordinal), (await HistoryAsync(connectionString)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DropDatabaseAsync(database);
        }
    }

    private static IEnumerable<string> Migrations() =>
        typeof(Voxora.Migrations.Postgres.DesignTimeFactory).Assembly.GetTypes()
            .Select(t => t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).FirstOrDefault())
            .OfType<Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute>()
            .Select(a => a.Id);

    private static async Task<bool> HistoryExistsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT to_regclass('\"__EFMigrationsHistory\"') IS NOT NULL", connection);
        return await command.ExecuteScalarAsync() is true;
    }

    private static async Task<List<string>> HistoryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static async Task<(string ConnectionString, string Database)> CreateDatabaseAsync()
    {
        var name = "voxora_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new NpgsqlConnection(TestServer.PostgresAdminConnectionString);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return (new NpgsqlConnectionStringBuilder(TestServer.PostgresAdminConnectionString) { Database = name }.ConnectionString, name);
    }

    private static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestServer.PostgresAdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
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
                Lines.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception.GetBaseException().Message));
            }
        }

        public void Dispose()
        {
        }
    }
}
