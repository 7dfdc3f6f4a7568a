using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Backup;

/// <summary>
/// The database half of a backup: a consistent copy taken while the server runs, and putting it back into an empty
/// database. SQLite through its online backup API (one read transaction: a snapshot, and in WAL mode writers go on);
/// PostgreSQL through <c>pg_dump</c> (one repeatable-read snapshot) and <c>pg_restore</c>, found on PATH.
/// </summary>
internal static partial class DatabaseCopy
{
    public const string SqliteEntry = "database/voxora.db";
    public const string PostgresEntry = "database/voxora.pgdump";

    public static string EntryFor(DatabaseProvider provider) => provider == DatabaseProvider.Postgres ? PostgresEntry : SqliteEntry;

    public static string Name(DatabaseProvider provider) => provider == DatabaseProvider.Postgres ? "postgres" : "sqlite";

    /// <summary>The SQLite database file the configuration names (the default one in the data folder, or the connection string's).</summary>
    public static string SqlitePath(ServerOptions options)
    {
        var source = string.IsNullOrWhiteSpace(options.Database.ConnectionString)
            ? Path.Combine(options.DataDir, "voxora.db")
            : new SqliteConnectionStringBuilder(options.Database.ConnectionString).DataSource;
        return Path.GetFullPath(source);
    }

    /// <summary>Copies the live database to <paramref name="destination"/>; returns the newest applied migration.</summary>
    public static async Task<string?> DumpAsync(ServerOptions options, string destination, CancellationToken ct)
    {
        if (options.Database.ProviderKind == DatabaseProvider.Postgres)
        {
            return await DumpPostgresAsync(options, destination, ct);
        }

        var path = SqlitePath(options);
        if (!File.Exists(path))
        {
            throw new BackupRefusedException($"there is no database to back up: {path} does not exist");
        }

        // ReadWrite, not ReadWriteCreate: the backup never creates the server's file (it only reads it, but a WAL database
        // needs its shared-memory file, which a read-only connection cannot create). Pooling off: nothing stays open.
        await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        await using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString()))
        {
            await source.OpenAsync(ct);
            await target.OpenAsync(ct);
            // sqlite3_backup_step(-1): every page in one step under one read transaction, so the copy is one
            // consistent point in time; the server's writers go on meanwhile (WAL) and wait at most for busy_timeout.
            source.BackupDatabase(target);
        }

        await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await copy.OpenAsync(ct);
        await using var integrity = copy.CreateCommand();
        integrity.CommandText = "PRAGMA quick_check";
        var check = (string?)await integrity.ExecuteScalarAsync(ct);
        if (check != "ok")
        {
            throw new IOException($"the copied SQLite database failed its integrity check: {check}");
        }

        return await LatestMigrationAsync(copy, ct);
    }

    private static async Task<string?> LatestMigrationAsync(System.Data.Common.DbConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\" DESC LIMIT 1";
        try
        {
            return (string?)await command.ExecuteScalarAsync(ct);
        }
        catch (System.Data.Common.DbException)
        {
            return null;
        }
    }

    private static async Task<string?> DumpPostgresAsync(ServerOptions options, string destination, CancellationToken ct)
    {
        var connectionString = options.Database.ConnectionString!;
        int serverMajor;
        string? migration;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await OpenAsync(connection, ct);
            serverMajor = connection.PostgreSqlVersion.Major;
            migration = await LatestMigrationAsync(connection, ct);
        }

        await CheckToolAsync("pg_dump", serverMajor, ct);
        // Custom format: compressed, and pg_restore can put it into a database owned by someone else (--no-owner).
        await RunToolAsync("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file=" + destination], connectionString, ct);
        return migration;
    }

    /// <summary>Whether the configured database holds nothing yet (a missing PostgreSQL database is created empty).</summary>
    public static async Task<string?> WhyNotEmptyAsync(ServerOptions options, CancellationToken ct)
    {
        if (options.Database.ProviderKind != DatabaseProvider.Postgres)
        {
            var path = SqlitePath(options);
            return File.Exists(path) && new FileInfo(path).Length > 0 ? $"the database {path} already exists" : null;
        }

        var builder = new NpgsqlConnectionStringBuilder(options.Database.ConnectionString);
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await OpenAsync(connection, ct);
        }
        catch (BackupFailedException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName })
        {
            await CreatePostgresDatabaseAsync(builder, ct);
            return null;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
              AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            """;
        var relations = (long)(await command.ExecuteScalarAsync(ct))!;
        return relations > 0 ? $"the PostgreSQL database \"{connection.Database}\" is not empty ({relations} tables, views or sequences)" : null;
    }

    private static async Task CreatePostgresDatabaseAsync(NpgsqlConnectionStringBuilder target, CancellationToken ct)
    {
        var name = target.Database ?? target.Username ?? throw new BackupRefusedException("the PostgreSQL connection string names no database");
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await OpenAsync(connection, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Puts a copy made by <see cref="DumpAsync"/> into the configured (empty) database.</summary>
    public static async Task RestoreAsync(ServerOptions options, string copy, CancellationToken ct)
    {
        if (options.Database.ProviderKind != DatabaseProvider.Postgres)
        {
            var path = SqlitePath(options);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(copy, path);
            return;
        }

        var connectionString = options.Database.ConnectionString!;
        int serverMajor;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await OpenAsync(connection, ct);
            serverMajor = connection.PostgreSqlVersion.Major;
        }

        await CheckToolAsync("pg_restore", serverMajor, ct);
        // One transaction: a failed restore leaves the database as empty as it was, so it can simply be run again.
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await RunToolAsync("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname=" + database, copy], connectionString, ct);
    }

    private static async Task OpenAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        try
        {
            await connection.OpenAsync(ct);
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new BackupFailedException($"cannot open the PostgreSQL database: {ex.GetBaseException().Message}", ex, exitCode: 3);
        }
    }

    /// <summary>Refuses a missing tool, or one older than the server (pg_dump cannot read a newer server's catalog).</summary>
    private static async Task CheckToolAsync(string tool, int serverMajor, CancellationToken ct)
    {
        var (exit, output, _) = await StartAsync(tool, ["--version"], new Dictionary<string, string>(), ct);
        var match = VersionPattern().Match(output);
        if (exit != 0 || !match.Success)
        {
            throw new BackupRefusedException($"'{tool} --version' did not answer a version: {output.Trim()}");
        }

        var major = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (major < serverMajor)
        {
            throw new BackupRefusedException(
                $"{tool} {major} is older than the PostgreSQL server ({serverMajor}); install the PostgreSQL {serverMajor} client tools (Debian: postgresql-client-{serverMajor}) and put them first on PATH");
        }
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)")]
    private static partial Regex VersionPattern();

    /// <summary>Runs a PostgreSQL client tool with the connection in its environment (the password never on a command line).</summary>
    private static async Task RunToolAsync(string tool, IReadOnlyList<string> arguments, string connectionString, CancellationToken ct)
    {
        var (exit, _, errors) = await StartAsync(tool, arguments, Environment(connectionString), ct);
        if (exit != 0)
        {
            throw new BackupFailedException($"{tool} failed (exit {exit}): {errors.Trim()}", null, exitCode: 1);
        }
    }

    private static Dictionary<string, string> Environment(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                environment[name] = value;
            }
        }

        Set("PGHOST", builder.Host);
        Set("PGPORT", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set("PGUSER", builder.Username);
        Set("PGPASSWORD", builder.Password);
        Set("PGDATABASE", builder.Database ?? builder.Username);
        Set("PGSSLMODE", builder.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        });
        Set("PGCONNECT_TIMEOUT", builder.Timeout.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return environment;
    }

    private static async Task<(int Exit, string Output, string Errors)> StartAsync(
        string tool, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{tool} did not start");
        }
        catch (Win32Exception)
        {
            throw new BackupRefusedException(
                $"{tool} was not found on PATH; install the PostgreSQL client tools (Debian: apt-get install postgresql-client) of the server's version or newer");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(ct);
            var errors = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await output, await errors);
        }
    }
}

/// <summary>Refused before anything was written: bad arguments, a target that is not empty, a foreign archive (exit 2).</summary>
internal sealed class BackupRefusedException(string message) : Exception(message);

/// <summary>Failed part-way (a tool failed, the disk filled, the database went away): exit 1, or 3 when the database cannot be reached.</summary>
internal sealed class BackupFailedException(string message, Exception? inner, int exitCode) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
