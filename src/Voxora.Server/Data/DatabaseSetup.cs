using System.Runtime.Loader;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Data;

/// <summary>Chooses the provider from configuration and brings the schema up to date at start-up.</summary>
public static class DatabaseSetup
{
    public const string SqliteMigrationsAssembly = "Voxora.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Voxora.Migrations.Postgres";

    public static IServiceCollection AddVoxoraDatabase(this IServiceCollection services, ServerOptions options)
    {
        LoadMigrationsFromAppFolder();
        var connectionString = ResolveConnectionString(options);
        services.AddDbContextPool<VoxoraDbContext>(builder => Configure(builder, options.Database.ProviderKind, connectionString, options.Database.SqliteSynchronousMode));
        return services;
    }

    public static void Configure(DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString,
        SqliteSynchronousMode sqliteSynchronous = SqliteSynchronousMode.Full)
    {
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly));
                break;
            default:
                builder.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly));
                builder.AddInterceptors(SqlitePragmas.For(sqliteSynchronous));
                break;
        }

        // Migrations are applied explicitly at start-up; a model/migration mismatch is caught by the tests.
        // A failed save is not logged by EF at Error: the code that saves decides. Duplicates that lost a race
        // to a unique index are answered 409 (ErrorHandling) and logged at Information; any other failure
        // reaches the exception handler, which logs it at Error with its stack trace.
        builder.ConfigureWarnings(w => w
            .Ignore(RelationalEventId.PendingModelChangesWarning)
            .Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug)));
    }

    /// <summary>
    /// The migrations assemblies reference this one, so it cannot reference them back; the build copies
    /// them next to the server and this resolver loads them from there when EF asks for them by name.
    /// (When a host references them directly, as the test project does, they resolve normally.)
    /// </summary>
    private static void LoadMigrationsFromAppFolder()
    {
        if (Interlocked.Exchange(ref resolverInstalled, 1) == 1)
        {
            return;
        }

        AssemblyLoadContext.Default.Resolving += static (context, name) =>
        {
            if (name.Name is not (SqliteMigrationsAssembly or PostgresMigrationsAssembly))
            {
                return null;
            }

            var path = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        };
    }

    private static int resolverInstalled;

    public static string ResolveConnectionString(ServerOptions options)
    {
        if (options.Database.ProviderKind == DatabaseProvider.Postgres)
        {
            return options.Database.ConnectionString!;
        }

        if (!string.IsNullOrWhiteSpace(options.Database.ConnectionString))
        {
            return options.Database.ConnectionString;
        }

        var dataDir = Path.GetFullPath(options.DataDir);
        Directory.CreateDirectory(dataDir);
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDir, "voxora.db"),
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }

    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseSetup));
        if (db.Database.IsSqlite())
        {
            // WAL lets readers proceed while a writer commits; it is a property of the file, set once.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        else
        {
            // Several nodes may start at once on one database (a cluster's first start, an upgrade rolling out). EF's own
            // migrations lock does not keep them apart on PostgreSQL (tested: two nodes both ran the first migration and
            // one failed with "relation already exists"), so the whole step runs under a session advisory lock: one node
            // migrates, the others wait for it and then find nothing left to do.
            await using var migrationLock = await PostgresMigrationLock.AcquireAsync(db.Database.GetConnectionString()!, logger, cancellationToken);

            // EF reads the history table before creating it, and on an empty PostgreSQL database that failed read is
            // logged at Error level ("Failed executing DbCommand … __EFMigrationsHistory"), alarming on every first start.
            // Creating it first (EF's own idempotent script) keeps first starts quiet.
            var history = db.GetService<IHistoryRepository>();
            await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }

        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// The PostgreSQL advisory lock (<c>pg_try_advisory_lock</c>, polled) every node takes before migrating, on a connection of its
    /// own. A session lock: if the node dies while holding it, PostgreSQL releases it with the connection.
    /// </summary>
    public const long PostgresMigrationLockKey = 0x566F_786F_7261_4D49; // "VoxoraMI"

    private sealed class PostgresMigrationLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(250);

        public static async Task<PostgresMigrationLock> AcquireAsync(string connectionString, ILogger logger, CancellationToken ct)
        {
            var connection = new NpgsqlConnection(connectionString);
            try
            {
                await connection.OpenAsync(ct);
                if (!await RunAsync(connection, "SELECT pg_try_advisory_lock(@key)", ct))
                {
                    logger.LogInformation("Another node is applying database migrations; waiting for it to finish");
                    // Polled, not a blocking pg_advisory_lock: a session blocked in that call holds a snapshot for as long as it
                    // waits, and CREATE INDEX CONCURRENTLY (migration MessageSearch) waits for every older snapshot to end, so
                    // the migrating node and the waiting ones would wait on each other. No deadline: a long migration elsewhere
                    // is worth waiting for; stopping the node cancels the wait.
                    do
                    {
                        await Task.Delay(LockPollInterval, ct);
                    }
                    while (!await RunAsync(connection, "SELECT pg_try_advisory_lock(@key)", ct));
                }

                return new PostgresMigrationLock(connection);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await RunAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None);
            }
            finally
            {
                // Pooled connections keep session state; unlocked above, and closing ends the session's lock regardless.
                await connection.DisposeAsync();
            }
        }

        private static async Task<bool> RunAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue("key", PostgresMigrationLockKey);
            return await command.ExecuteScalarAsync(ct) is true;
        }
    }
}
